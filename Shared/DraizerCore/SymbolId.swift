/// A global trading pair (`BTC-USDT`) as a dense id assigned by discovery in sorted order.
/// It indexes the price store together with `SourceId`.
public struct SymbolId: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ value: Int) { self.rawValue = UInt32(value) }

    public var index: Int { Int(rawValue) }
    public var description: String { "#\(rawValue)" }

    public static func < (lhs: SymbolId, rhs: SymbolId) -> Bool { lhs.rawValue < rhs.rawValue }
}
