/// Binance's combined streams wrap each payload as `{"stream":"...","data":{...}}`; the raw
/// `/ws/<stream>` endpoint sends the payload alone. Both forms are accepted.
enum BinanceEnvelope {
    /// Positions the cursor just inside the payload object and returns true; for an unwrapped
    /// frame, positions it inside the top-level object and returns false. In the wrapped case the
    /// payload must be the last key or followed only by keys the caller does not need.
    /// When the frame names its stream and its channel (after the `@`) is not `channel` (`depth`,
    /// `bookTicker`, `markPrice`), the frame belongs to another parser: `unsupportedMessage`.
    static func enterPayload(_ cursor: inout JSONCursor, channel: StaticString) throws(VenueParseError) -> Bool {
        try cursor.beginObject()
        let start = cursor.position
        // Only the first key decides: payload fields never start with "stream" or "data".
        guard let key = try cursor.nextKey() else { throw .unsupportedMessage }
        if cursor.equals(key, "stream") {
            let stream = try cursor.string()
            guard cursor.segment(stream, after: UInt8(ascii: "@"), startsWith: channel) else { throw .unsupportedMessage }
            while let next = try cursor.nextKey() {
                if cursor.equals(next, "data") {
                    try cursor.beginObject()
                    return true
                }
                try cursor.skipValue()
            }
            throw .missingField("data")
        }
        if cursor.equals(key, "data") {
            try cursor.beginObject()
            return true
        }
        cursor.rewind(to: start)
        return false
    }
}
