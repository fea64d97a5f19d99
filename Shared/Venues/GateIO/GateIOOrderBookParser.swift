import DraizerCore

/// Parses Gate.io APIv4 depth messages into a reused `DepthMessage`:
/// - WS `spot.order_book_update` (`"b":[["p","q"],…]`) and `futures.order_book_update`
///   (`"b":[{"p":"…","s":N},…]`), `{"channel":…,"event":"update","result":{"U":…,"u":…,"s":…,"b":…,"a":…,"t":…}}`;
/// - REST snapshots with `with_id=true`: spot `{"id":…,"bids":[["p","q"]…],"asks":…}`,
///   futures `{"id":…,"bids":[{"p":…,"s":…}…],"asks":…}`.
public enum GateIOOrderBookParser {
    public static func parseUpdate(_ frame: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        message.reset()
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var sawResult = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "channel") {
                let channel = try cursor.string()
                guard cursor.equals(channel, "spot.order_book_update") || cursor.equals(channel, "futures.order_book_update") else {
                    throw .unsupportedMessage
                }
            } else if cursor.equals(key, "event") {
                let event = try cursor.string()
                guard cursor.equals(event, "update") || cursor.equals(event, "all") else { throw .unsupportedMessage }
            } else if cursor.equals(key, "result") {
                try parseResult(&cursor, into: &message)
                sawResult = true
            } else if cursor.equals(key, "time_ms") {
                message.eventTimeMillis = try cursor.unsigned("time_ms")
            } else {
                try cursor.skipValue()
            }
        }
        guard sawResult else { throw .missingField("result") }
    }

    static func parseResult(_ cursor: inout JSONCursor, into message: inout DepthMessage) throws(VenueParseError) {
        try cursor.beginObject()
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
                try levels(&cursor, into: &message.bids, field: "b")
            case UInt8(ascii: "a"):
                try levels(&cursor, into: &message.asks, field: "a")
            case UInt8(ascii: "t"):
                message.eventTimeMillis = try cursor.unsigned("t")
            default:
                try cursor.skipValue()
            }
        }
        guard seen & 1 != 0 else { throw .missingField("U") }
        guard seen & 2 != 0 else { throw .missingField("u") }
        guard seen & 4 != 0 else { throw .missingField("s") }
        guard message.firstUpdateId <= message.finalUpdateId else { throw .wrongType("U") }
    }

    public static func parseSnapshot(_ body: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        message.reset()
        message.isSnapshot = true
        var cursor = JSONCursor(body)
        try cursor.beginObject()
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "id") {
                message.finalUpdateId = try cursor.unsigned("id")
                message.firstUpdateId = message.finalUpdateId
                seen |= 1
            } else if cursor.equals(key, "bids") {
                try levels(&cursor, into: &message.bids, field: "bids")
                seen |= 2
            } else if cursor.equals(key, "asks") {
                try levels(&cursor, into: &message.asks, field: "asks")
                seen |= 4
            } else if cursor.equals(key, "label") {
                throw .unsupportedMessage  // an error body {"label":"INVALID_CURRENCY_PAIR",…}
            } else {
                try cursor.skipValue()
            }
        }
        guard seen & 1 != 0 else { throw .missingField("id (request the snapshot with with_id=true)") }
        guard seen & 2 != 0 else { throw .missingField("bids") }
        guard seen & 4 != 0 else { throw .missingField("asks") }
    }

    /// Spot levels are `["p","q"]` arrays, futures levels `{"p":"…","s":N}` objects.
    static func levels(_ cursor: inout JSONCursor, into levels: inout [LevelUpdate], field: StaticString) throws(VenueParseError) {
        guard try cursor.peek() == UInt8(ascii: "[") else { throw .wrongType(field) }
        let start = cursor.position
        try cursor.beginArray()
        guard try cursor.nextElement() else { return }
        if try cursor.peek() == UInt8(ascii: "[") {
            cursor.rewind(to: start)
            try cursor.levels(into: &levels, field: field)
            return
        }
        repeat {
            try cursor.beginObject()
            var price: ExactDecimal?
            var size: ExactDecimal?
            while let key = try cursor.nextKey() {
                switch cursor.singleByte(key) {
                case UInt8(ascii: "p"): price = try cursor.decimal(field)
                case UInt8(ascii: "s"): size = try cursor.decimal(field)
                default: try cursor.skipValue()
                }
            }
            guard let price, let size else { throw .missingField(field) }
            guard price.isPositive, !size.isNegative else { throw .nonPositive(field) }
            levels.append(LevelUpdate(price: price, quantity: size))
        } while try cursor.nextElement()
    }
}
