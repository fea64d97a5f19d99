import DraizerCore

/// Parses Binance depth messages into a reused `DepthMessage`:
/// - WS `depthUpdate` diffs (spot: `U`, `u`; USDⓈ-M adds `pu`), with or without the envelope;
/// - REST snapshots via `LastUpdateIdSnapshotParser` (USDⓈ-M adds `E`, `T`).
public enum BinanceDepthParser {
    public static func parseDiff(_ frame: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        message.reset()
        var cursor = JSONCursor(frame)
        _ = try BinanceEnvelope.enterPayload(&cursor, channel: "depth")
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            switch cursor.singleByte(key) {
            case UInt8(ascii: "U"):
                message.firstUpdateId = try cursor.unsigned("U")
                seen |= 1
            case UInt8(ascii: "u"):
                message.finalUpdateId = try cursor.unsigned("u")
                seen |= 2
            case UInt8(ascii: "s"):
                message.symbol = try cursor.string()
                seen |= 4
            case UInt8(ascii: "b"):
                try cursor.levels(into: &message.bids, field: "b")
                seen |= 8
            case UInt8(ascii: "a"):
                try cursor.levels(into: &message.asks, field: "a")
                seen |= 16
            case UInt8(ascii: "E"):
                message.eventTimeMillis = try cursor.unsigned("E")
            case UInt8(ascii: "e"):
                let event = try cursor.string()
                guard cursor.equals(event, "depthUpdate") else { throw .unsupportedMessage }
            default:
                if cursor.equals(key, "pu") {
                    message.previousUpdateId = try cursor.unsigned("pu")
                } else {
                    try cursor.skipValue()
                }
            }
        }
        // A frame with none of the fields is another message (an ack such as {"result":null,"id":1}).
        guard seen != 0 else { throw .unsupportedMessage }
        guard seen & 1 != 0 else { throw .missingField("U") }
        guard seen & 2 != 0 else { throw .missingField("u") }
        guard seen & 4 != 0 else { throw .missingField("s") }
        guard seen & 8 != 0 else { throw .missingField("b") }
        guard seen & 16 != 0 else { throw .missingField("a") }
        guard message.firstUpdateId <= message.finalUpdateId else { throw .wrongType("U") }
    }

    public static func parseSnapshot(_ body: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        try LastUpdateIdSnapshotParser.parse(body, into: &message)
    }
}
