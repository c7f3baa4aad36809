// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "redi",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StoreEngine", targets: ["StoreEngine"]),
        .library(name: "RediTUI", targets: ["RediTUI"]),
        .library(name: "RediRemote", targets: ["RediRemote"]),
        .executable(name: "redi", targets: ["redi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "StoreEngine",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                "CLua",
                "CShims",
            ],
            resources: [.embedInCode("../../Resources/commands.json")]
        ),
        .executableTarget(
            name: "redi",
            dependencies: [
                "StoreEngine",
                "RediTUI",
                "RediServer",
                "RediRemote",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(
            name: "CLua",
            path: "Modules/CLua",
            providers: [.apt(["liblua5.1-0-dev", "lua-cjson-dev", "lua-bitop-dev"])]
        ),
        .systemLibrary(
            name: "CShims",
            path: "Modules/CShims"
        ),
        .systemLibrary(
            name: "CEpoll",
            path: "Modules/CEpoll"
        ),
        .systemLibrary(
            name: "CNcursesw",
            path: "Modules/CNcursesw",
            providers: [.apt(["libncursesw5-dev"])]
        ),
        .target(
            name: "RediTUI",
            dependencies: ["StoreEngine", "CNcursesw", .product(name: "DequeModule", package: "swift-collections")]
        ),
        .target(
            name: "RediServer",
            dependencies: [
                "StoreEngine",
                "CEpoll",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RediRemote",
            dependencies: [
                "StoreEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(name: "StoreEngineTestSupport", dependencies: ["StoreEngine"]),
        .testTarget(name: "StoreEngineTests", dependencies: ["StoreEngine", "StoreEngineTestSupport"]),
        .testTarget(
            name: "RediTUITests",
            dependencies: [
                "RediTUI", "StoreEngine", "StoreEngineTestSupport", .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .testTarget(
            name: "RediServerTests",
            dependencies: [
                "RediServer", "StoreEngine", "StoreEngineTestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RediRemoteTests",
            dependencies: [
                "RediRemote", "RediServer", "StoreEngine", "StoreEngineTestSupport", .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "RediEndToEndTests", dependencies: ["redi", "RediTUI", "StoreEngine", "StoreEngineTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The law of exclusivity is checked at compile time everywhere and at run
// time in debug builds (tests); release builds skip the run-time checks in
// redi's own code, where they cost a third of the server's throughput.
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
    ]
}
