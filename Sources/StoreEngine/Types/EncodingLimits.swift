/// When a small collection's compact encoding gives way to a table, as
/// Redis's settings of the same names (CONFIG GET/SET, also under their
/// older `*-ziplist-*` names), with Redis's defaults.
public struct EncodingLimits: Sendable, Equatable {
    /// `hash-max-listpack-entries`: fields a packed hash holds at most.
    public var hashMaxListpackEntries = 512
    /// `hash-max-listpack-value`: the longest field or value a packed hash holds.
    public var hashMaxListpackValue = 64
    /// `set-max-intset-entries`: integers an intset holds at most.
    public var setMaxIntsetEntries = 512
    /// `zset-max-listpack-entries`: members a packed sorted set holds at most.
    public var zsetMaxListpackEntries = 128
    /// `zset-max-listpack-value`: the longest member a packed sorted set holds.
    public var zsetMaxListpackValue = 64
    /// `list-max-listpack-size`: a list node's limit, in bytes when
    /// negative (-1: 4 KB ... -5: 64 KB), else in elements.
    public var listMaxListpackSize = -2
    /// `list-compress-depth`: kept for CONFIG; redi does not compress nodes.
    public var listCompressDepth = 0

    public init() {}
}
