// swift-tools-version: 6.1
import PackageDescription

// The benchmarks are a package of their own, so that building redi and its
// tests never builds the benchmark tools. Run from this folder:
//     swift package --allow-writing-to-package-directory benchmark
let package = Package(
    name: "redi-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "redi", path: ".."),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "StoreEngine", package: "redi"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "InterfaceBenchmarks",
            dependencies: [
                .product(name: "RediTUI", package: "redi"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "StoreEngine", package: "redi"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/InterfaceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain executable: it starts redis-server and times frames itself.
        .executableTarget(
            name: "RemoteFrames",
            dependencies: [
                .product(name: "RediRemote", package: "redi"),
                .product(name: "RediTUI", package: "redi"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "StoreEngine", package: "redi"),
            ],
            path: "Benchmarks/RemoteFrames"
        ),
    ],
    swiftLanguageModes: [.v6]
)
