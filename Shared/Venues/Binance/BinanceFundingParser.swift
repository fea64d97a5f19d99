import DraizerCore

/// Binance USDⓈ-M `markPriceUpdate` (`<symbol>@markPrice@1s`): funding rate `r`, next funding
/// time `T`, mark `p` and index `i` prices, event time `E`. The interval is not in the stream (it
/// is 8 h unless `GET /fapi/v1/fundingInfo` lists the symbol with another one).
public enum BinanceFundingParser {
    public static func parse(_ frame: UnsafeRawBufferPointer, into funding: inout FundingUpdate) throws(VenueParseError) {
        funding = FundingUpdate()
        var cursor = JSONCursor(frame)
        _ = try BinanceEnvelope.enterPayload(&cursor, channel: "markPrice")
        var sawRate = false
        while let key = try cursor.nextKey() {
            switch cursor.singleByte(key) {
            case UInt8(ascii: "e"):
                let event = try cursor.string()
                guard cursor.equals(event, "markPriceUpdate") else { throw .unsupportedMessage }
            case UInt8(ascii: "s"): funding.symbol = try cursor.string()
            case UInt8(ascii: "r"):
                funding.rate = try cursor.decimal("r")
                sawRate = true
            case UInt8(ascii: "T"): funding.nextSettlementMillis = try cursor.unsigned("T")
            case UInt8(ascii: "p"): funding.markPrice = try cursor.decimal("p")
            case UInt8(ascii: "i"): funding.indexPrice = try cursor.decimal("i")
            case UInt8(ascii: "E"): funding.eventTimeMillis = try cursor.unsigned("E")
            default: try cursor.skipValue()
            }
        }
        guard sawRate else { throw .missingField("r") }
    }
}
