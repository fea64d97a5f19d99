/// The side of an order or of a book level: buy (bid) or sell (ask).
public enum Side: UInt8, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case buy = 0
    case sell = 1

    public var opposite: Side { self == .buy ? .sell : .buy }
    public var description: String { self == .buy ? "buy" : "sell" }
}
