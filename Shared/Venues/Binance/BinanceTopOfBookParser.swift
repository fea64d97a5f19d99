import DraizerCore

/// A Binance `bookTicker` (spot and USDⓈ-M): best bid/ask with sizes and the book update id.
public struct BinanceBookTicker: Sendable, Equatable {
    /// Symbol bytes in the frame.
    public var symbol: Range<Int> = 0..<0
    public var updateId: UInt64 = 0
    public var bidPrice: ExactDecimal = .zero
    public var bidQuantity: ExactDecimal = .zero
    public var askPrice: ExactDecimal = .zero
    public var askQuantity: ExactDecimal = .zero
    /// Event time (`E`, futures only), milliseconds; 0 when absent (spot sends none).
    public var eventTimeMillis: UInt64 = 0
    /// Transaction time (`T`, futures only), milliseconds; 0 when absent.
    public var transactionTimeMillis: UInt64 = 0

    public init() {}
}

/// Parses `bookTicker` frames straight from the receive buffer:
/// `{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}`
/// with or without the combined-stream envelope; keys in any order.
public enum BinanceTopOfBookParser {
    private static let required: UInt8 = 0b11_1111

    public static func parse(_ frame: UnsafeRawBufferPointer, into ticker: inout BinanceBookTicker) throws(VenueParseError) {
        var cursor = JSONCursor(frame)
        _ = try BinanceEnvelope.enterPayload(&cursor)
        var seen: UInt8 = 0
        ticker.eventTimeMillis = 0
        ticker.transactionTimeMillis = 0
        while let key = try cursor.nextKey() {
            switch cursor.singleByte(key) {
            case UInt8(ascii: "u"):
                ticker.updateId = try cursor.unsigned("u")
                seen |= 1
            case UInt8(ascii: "s"):
                ticker.symbol = try cursor.string()
                seen |= 2
            case UInt8(ascii: "b"):
                ticker.bidPrice = try cursor.decimal("b")
                seen |= 4
            case UInt8(ascii: "B"):
                ticker.bidQuantity = try cursor.decimal("B")
                seen |= 8
            case UInt8(ascii: "a"):
                ticker.askPrice = try cursor.decimal("a")
                seen |= 16
            case UInt8(ascii: "A"):
                ticker.askQuantity = try cursor.decimal("A")
                seen |= 32
            case UInt8(ascii: "E"):
                ticker.eventTimeMillis = try cursor.unsigned("E")
            case UInt8(ascii: "T"):
                ticker.transactionTimeMillis = try cursor.unsigned("T")
            case UInt8(ascii: "e"):
                let event = try cursor.string()
                guard cursor.equals(event, "bookTicker") else { throw .unsupportedMessage }
            default:
                try cursor.skipValue()
            }
        }
        guard seen == required else { throw missing(seen) }
        guard ticker.bidPrice.isPositive else { throw .nonPositive("b") }
        guard ticker.askPrice.isPositive else { throw .nonPositive("a") }
        guard !ticker.bidQuantity.isNegative else { throw .nonPositive("B") }
        guard !ticker.askQuantity.isNegative else { throw .nonPositive("A") }
        guard ticker.bidPrice <= ticker.askPrice else { throw .crossedQuote }
    }

    private static func missing(_ seen: UInt8) -> VenueParseError {
        if seen & 1 == 0 { return .missingField("u") }
        if seen & 2 == 0 { return .missingField("s") }
        if seen & 4 == 0 { return .missingField("b") }
        if seen & 8 == 0 { return .missingField("B") }
        if seen & 16 == 0 { return .missingField("a") }
        return .missingField("A")
    }
}
