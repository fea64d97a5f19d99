import DraizerCore

/// REST depth snapshots of the form `{"lastUpdateId":N,"bids":[["p","q"],…],"asks":[…]}`, used by
/// Binance (spot and USDⓈ-M, which adds `E`/`T`) and MEXC spot. An error body (`{"code":…}`) is
/// rejected.
public enum LastUpdateIdSnapshotParser {
    public static func parse(_ body: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        message.reset()
        message.isSnapshot = true
        var cursor = JSONCursor(body)
        try cursor.beginObject()
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "lastUpdateId") {
                message.finalUpdateId = try cursor.unsigned("lastUpdateId")
                message.firstUpdateId = message.finalUpdateId
                seen |= 1
            } else if cursor.equals(key, "bids") {
                try cursor.levels(into: &message.bids, field: "bids")
                seen |= 2
            } else if cursor.equals(key, "asks") {
                try cursor.levels(into: &message.asks, field: "asks")
                seen |= 4
            } else if cursor.equals(key, "E") {
                message.eventTimeMillis = try cursor.unsigned("E")
            } else if cursor.equals(key, "code") {
                throw .unsupportedMessage  // an error body such as {"code":-1121,"msg":"Invalid symbol."}
            } else {
                try cursor.skipValue()
            }
        }
        guard seen & 1 != 0 else { throw .missingField("lastUpdateId") }
        guard seen & 2 != 0 else { throw .missingField("bids") }
        guard seen & 4 != 0 else { throw .missingField("asks") }
    }
}
