import DraizerCore

/// Parses Bybit v5 order-book messages into a reused `DepthMessage`:
/// - WS `orderbook.{depth}.{symbol}`: `{"topic":…,"type":"snapshot"|"delta","ts":…,"data":{"s":…,"b":[…],"a":[…],"u":…,"seq":…},"cts":…}`;
/// - REST `GET /v5/market/orderbook`: `{"retCode":0,"result":{"s":…,"b":[…],"a":[…],"u":…,"seq":…,"ts":…}}`.
public enum BybitOrderBookParser {
    public static func parse(_ frame: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        message.reset()
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var sawType = false
        var sawData = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "topic") {
                let topic = try cursor.string()
                guard cursor.bytes(topic).starts(with: "orderbook.".utf8) else { throw .unsupportedMessage }
                message.isTopOfBookOnly = cursor.bytes(topic).starts(with: "orderbook.1.".utf8)
            } else if cursor.equals(key, "type") {
                let type = try cursor.string()
                if cursor.equals(type, "snapshot") {
                    message.isSnapshot = true
                } else if !cursor.equals(type, "delta") {
                    throw .unsupportedMessage
                }
                sawType = true
            } else if cursor.equals(key, "ts") {
                message.eventTimeMillis = try cursor.unsigned("ts")
            } else if cursor.equals(key, "data") {
                try parseBook(&cursor, into: &message)
                sawData = true
            } else if cursor.equals(key, "op") || cursor.equals(key, "success") {
                throw .unsupportedMessage  // an ack or pong
            } else {
                try cursor.skipValue()
            }
        }
        guard sawType else { throw .missingField("type") }
        guard sawData else { throw .missingField("data") }
    }

    public static func parseRESTSnapshot(_ body: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        message.reset()
        message.isSnapshot = true
        var cursor = JSONCursor(body)
        try cursor.beginObject()
        var sawResult = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "retCode") {
                guard try cursor.signed("retCode") == 0 else { throw .unsupportedMessage }
            } else if cursor.equals(key, "result") {
                try parseBook(&cursor, into: &message)
                sawResult = true
            } else {
                try cursor.skipValue()
            }
        }
        guard sawResult else { throw .missingField("result") }
    }

    /// The `{"s":…,"b":[…],"a":[…],"u":…,"seq":…}` object shared by WS data and the REST result.
    static func parseBook(_ cursor: inout JSONCursor, into message: inout DepthMessage) throws(VenueParseError) {
        try cursor.beginObject()
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            switch cursor.singleByte(key) {
            case UInt8(ascii: "s"):
                message.symbol = try cursor.string()
                seen |= 1
            case UInt8(ascii: "b"):
                try cursor.levels(into: &message.bids, field: "b")
                seen |= 2
            case UInt8(ascii: "a"):
                try cursor.levels(into: &message.asks, field: "a")
                seen |= 4
            case UInt8(ascii: "u"):
                message.finalUpdateId = try cursor.unsigned("u")
                message.firstUpdateId = message.finalUpdateId
                seen |= 8
            default:
                if cursor.equals(key, "seq") {
                    message.sequence = try cursor.unsigned("seq")
                } else if cursor.equals(key, "ts"), message.eventTimeMillis == 0 {
                    message.eventTimeMillis = try cursor.unsigned("ts")
                } else {
                    try cursor.skipValue()
                }
            }
        }
        guard seen & 1 != 0 else { throw .missingField("s") }
        guard seen & 2 != 0 else { throw .missingField("b") }
        guard seen & 4 != 0 else { throw .missingField("a") }
        guard seen & 8 != 0 else { throw .missingField("u") }
    }
}
