import DraizerCore

/// Parses `bookTicker` frames straight from the receive buffer:
/// `{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}`
/// with or without the combined-stream envelope; keys in any order.
public enum BinanceTopOfBookParser {
    private static let required: UInt8 = 0b11_1111

    public static func parse(_ frame: UnsafeRawBufferPointer, into ticker: inout TopOfBookQuote) throws(VenueParseError) {
        var cursor = JSONCursor(frame)
        _ = try BinanceEnvelope.enterPayload(&cursor, channel: "bookTicker")
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
        // A frame with none of the fields is another message (an ack such as {"result":null,"id":1}).
        guard seen != 0 else { throw .unsupportedMessage }
        guard seen == required else { throw missing(seen) }
        try ticker.validate()
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
