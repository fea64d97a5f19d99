import DraizerCore

/// Parses OKX v5 order-book channels into a reused `DepthMessage`: `books`, `books5`,
/// `books50-l2-tbt`, `books-l2-tbt` and `bbo-tbt`:
/// `{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot"|"update","data":[{"asks":[[px,sz,"0",n],…],"bids":[…],"ts":"…","checksum":…,"seqId":…,"prevSeqId":…}]}`.
/// Channels without `action` (`books5`, `bbo-tbt`) are full replacements: snapshots.
public enum OKXBooksParser {
    public static func parse(_ frame: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        message.reset()
        message.isSnapshot = true
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var sawData = false
        var sawArgument = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "arg") {
                message.symbol = try OKXArgument.parse(&cursor, channels: .books, topOfBook: &message.isTopOfBookOnly)
                sawArgument = true
            } else if cursor.equals(key, "action") {
                let action = try cursor.string()
                message.isSnapshot = cursor.equals(action, "snapshot")
                guard message.isSnapshot || cursor.equals(action, "update") else { throw .unsupportedMessage }
            } else if cursor.equals(key, "data") {
                try cursor.beginArray()
                guard try cursor.nextElement() else { throw .missingField("data") }
                try parseBook(&cursor, into: &message)
                while try cursor.nextElement() { try cursor.skipValue() }
                sawData = true
            } else if cursor.equals(key, "event") {
                throw .unsupportedMessage
            } else {
                try cursor.skipValue()
            }
        }
        guard sawArgument else { throw .missingField("arg") }
        guard sawData else { throw .missingField("data") }
    }

    static func parseBook(_ cursor: inout JSONCursor, into message: inout DepthMessage) throws(VenueParseError) {
        try cursor.beginObject()
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "asks") {
                try cursor.levels(into: &message.asks, field: "asks")
                seen |= 1
            } else if cursor.equals(key, "bids") {
                try cursor.levels(into: &message.bids, field: "bids")
                seen |= 2
            } else if cursor.equals(key, "ts") {
                message.eventTimeMillis = try cursor.unsigned("ts")
            } else if cursor.equals(key, "checksum") {
                let value = try cursor.signed("checksum")
                guard value >= Int64(Int32.min), value <= Int64(Int32.max) else { throw .wrongType("checksum") }
                message.checksum = Int32(value)
            } else if cursor.equals(key, "seqId") {
                let value = try cursor.signed("seqId")
                message.sequence = value > 0 ? UInt64(value) : 0
                message.finalUpdateId = message.sequence
                message.firstUpdateId = message.sequence
            } else if cursor.equals(key, "prevSeqId") {
                let value = try cursor.signed("prevSeqId")
                message.previousUpdateId = value >= 0 ? UInt64(value) : nil  // -1 on snapshots
            } else {
                try cursor.skipValue()
            }
        }
        guard seen & 1 != 0 else { throw .missingField("asks") }
        guard seen & 2 != 0 else { throw .missingField("bids") }
    }
}

/// The `"arg":{"channel":…,"instId":…}` object of OKX push messages.
enum OKXArgument {
    enum Family {
        case books
        case tickers
        case fundingRate
    }

    /// Returns the `instId` range; throws `unsupportedMessage` when the channel is of another family.
    static func parse(_ cursor: inout JSONCursor, channels: Family) throws(VenueParseError) -> Range<Int> {
        var topOfBook = false
        return try parse(&cursor, channels: channels, topOfBook: &topOfBook)
    }

    /// Also reports whether the channel is `bbo-tbt` (a quote shaped like a one-level book).
    static func parse(_ cursor: inout JSONCursor, channels: Family, topOfBook: inout Bool) throws(VenueParseError) -> Range<Int> {
        try cursor.beginObject()
        var instrument: Range<Int>?
        var matches = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "channel") {
                let channel = try cursor.string()
                switch channels {
                case .books:
                    topOfBook = cursor.equals(channel, "bbo-tbt")
                    matches = cursor.bytes(channel).starts(with: "books".utf8) || topOfBook
                case .tickers:
                    matches = cursor.equals(channel, "tickers")
                case .fundingRate:
                    matches = cursor.equals(channel, "funding-rate")
                }
            } else if cursor.equals(key, "instId") {
                instrument = try cursor.string()
            } else {
                try cursor.skipValue()
            }
        }
        guard matches else { throw .unsupportedMessage }
        guard let instrument else { throw .missingField("instId") }
        return instrument
    }
}
