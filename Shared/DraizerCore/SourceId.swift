/// A price source: one market of one exchange, as a dense id (`exchange * 2 + market`), so it
/// can index flat arrays and shared-memory tables without hashing.
public struct SourceId: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt8

    /// Number of sources (5 exchanges × 2 markets); valid raw values are `0..<count`. A literal:
    /// hot paths index by `symbol * count + source`, and a computed constant would cost a lazy
    /// initialisation check on each use (a test keeps it equal to exchanges × markets).
    public static let count = 10

    public static let all: [SourceId] = (0..<UInt8(count)).map { SourceId(uncheckedRawValue: $0) }

    public init?(rawValue: UInt8) {
        guard Int(rawValue) < SourceId.count else { return nil }
        self.rawValue = rawValue
    }

    init(uncheckedRawValue: UInt8) { self.rawValue = uncheckedRawValue }

    public init(exchange: Exchange, market: MarketKind) {
        self.rawValue = exchange.rawValue &* 2 &+ market.rawValue
    }

    /// Parses `exchange/market`, e.g. `binance/spot` or `gateio/perp`.
    public init?(name: String) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let exchange = Exchange(name: String(parts[0])),
            let market = MarketKind(name: String(parts[1]))
        else { return nil }
        self.init(exchange: exchange, market: market)
    }

    public var exchange: Exchange { Exchange(rawValue: rawValue / 2)! }
    public var market: MarketKind { MarketKind(rawValue: rawValue % 2)! }
    public var index: Int { Int(rawValue) }

    /// `exchange/market`, the form used in files and on the command line.
    public var name: String { "\(exchange.name)/\(market.name)" }
    public var description: String { name }

    public static func < (lhs: SourceId, rhs: SourceId) -> Bool { lhs.rawValue < rhs.rawValue }
}
