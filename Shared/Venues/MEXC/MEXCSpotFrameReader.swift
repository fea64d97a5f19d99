import DraizerCore

/// Reads MEXC spot v3 WebSocket frames (binary protobuf, outer `PushDataV3ApiWrapper`) straight
/// from the receive buffer for the hot-path channels: book tickers (`publicBookTicker` 305,
/// `publicBookTickerBatch` 311, `publicAggreBookTicker` 315) and depth (`publicIncreaseDepths` 302,
/// `publicLimitDepths` 303, `publicAggreDepths` 313). Field numbers are those of the official
/// definitions (`MEXCProto`, which decodes every other channel).
public enum MEXCSpotFrameReader {
    public enum Content: Sendable, Equatable {
        case bookTicker
        case depth
        /// Another channel (deals, klines, private pushes): decode with `MEXCProto` if needed.
        case other
    }

    enum Field {
        static let channel: UInt64 = 1
        static let symbol: UInt64 = 3
        static let createTime: UInt64 = 5
        static let sendTime: UInt64 = 6
        static let increaseDepths: UInt64 = 302
        static let limitDepths: UInt64 = 303
        static let bookTicker: UInt64 = 305
        static let bookTickerBatch: UInt64 = 311
        static let aggreDepths: UInt64 = 313
        static let aggreBookTicker: UInt64 = 315
    }

    public static func read(
        _ frame: UnsafeRawBufferPointer, quote: inout TopOfBookQuote, depth: inout DepthMessage
    ) throws(VenueParseError) -> Content {
        // Acks and pongs come as JSON text on the same socket; a protobuf wrapper never starts
        // with '{' (that byte would be field 15 with an invalid wire type).
        if frame.first == UInt8(ascii: "{") { throw .unsupportedMessage }
        var cursor = ProtobufCursor(frame)
        var content = Content.other
        var symbol: Range<Int> = 0..<0
        var sendTime: UInt64 = 0
        while let (number, wireType) = try cursor.nextField() {
            switch (number, wireType) {
            case (Field.symbol, .lengthDelimited):
                symbol = try cursor.lengthDelimited()
            case (Field.sendTime, .varint):
                sendTime = try cursor.varint()
            case (Field.createTime, .varint):
                let created = try cursor.varint()
                if sendTime == 0 { sendTime = created }
            case (Field.bookTicker, .lengthDelimited), (Field.aggreBookTicker, .lengthDelimited):
                quote = TopOfBookQuote()
                try readBookTicker(cursor.cursor(over: cursor.lengthDelimited()), into: &quote)
                content = .bookTicker
            case (Field.bookTickerBatch, .lengthDelimited):
                quote = TopOfBookQuote()
                var batch = cursor.cursor(over: try cursor.lengthDelimited())
                var found = false
                while let (item, itemType) = try batch.nextField() {
                    if item == 1, itemType == .lengthDelimited, !found {
                        try readBookTicker(batch.cursor(over: batch.lengthDelimited()), into: &quote)
                        found = true
                    } else {
                        try batch.skip(itemType)
                    }
                }
                guard found else { throw .missingField("items") }
                content = .bookTicker
            case (Field.increaseDepths, .lengthDelimited), (Field.limitDepths, .lengthDelimited), (Field.aggreDepths, .lengthDelimited):
                depth.reset()
                depth.isSnapshot = number == Field.limitDepths
                try readDepth(cursor.cursor(over: cursor.lengthDelimited()), aggregated: number == Field.aggreDepths, into: &depth)
                content = .depth
            default:
                try cursor.skip(wireType)
            }
        }
        switch content {
        case .bookTicker:
            quote.symbol = symbol
            quote.eventTimeMillis = sendTime
            try quote.validate()
        case .depth:
            depth.symbol = symbol
            depth.eventTimeMillis = sendTime
        case .other:
            break
        }
        guard content == .other || !symbol.isEmpty else { throw .missingField("symbol") }
        return content
    }

    /// `PublicBookTickerV3Api` / `PublicAggreBookTickerV3Api`: bidPrice 1, bidQuantity 2,
    /// askPrice 3, askQuantity 4, version 5 (aggregated only).
    static func readBookTicker(_ message: ProtobufCursor, into quote: inout TopOfBookQuote) throws(VenueParseError) {
        var cursor = message
        var seen: UInt8 = 0
        while let (number, wireType) = try cursor.nextField() {
            guard wireType == .lengthDelimited, number <= 5 else {
                try cursor.skip(wireType)
                continue
            }
            let range = try cursor.lengthDelimited()
            switch number {
            case 1:
                quote.bidPrice = try cursor.decimal(range, "bidPrice")
                seen |= 1
            case 2:
                quote.bidQuantity = try cursor.decimal(range, "bidQuantity")
                seen |= 2
            case 3:
                quote.askPrice = try cursor.decimal(range, "askPrice")
                seen |= 4
            case 4:
                quote.askQuantity = try cursor.decimal(range, "askQuantity")
                seen |= 8
            default:
                quote.updateId = try cursor.unsigned(range, "version")
            }
        }
        guard seen & 1 != 0 else { throw .missingField("bidPrice") }
        guard seen & 2 != 0 else { throw .missingField("bidQuantity") }
        guard seen & 4 != 0 else { throw .missingField("askPrice") }
        guard seen & 8 != 0 else { throw .missingField("askQuantity") }
    }

    /// Depth messages: asks 1, bids 2 (items: price 1, quantity 2), eventType 3, then either
    /// version 4 (increase / limit) or fromVersion 4 + toVersion 5 (aggregated).
    static func readDepth(_ message: ProtobufCursor, aggregated: Bool, into depth: inout DepthMessage) throws(VenueParseError) {
        var cursor = message
        var sawVersion = false
        while let (number, wireType) = try cursor.nextField() {
            switch (number, wireType) {
            case (1, .lengthDelimited), (2, .lengthDelimited):
                var item = cursor.cursor(over: try cursor.lengthDelimited())
                var price: ExactDecimal?
                var quantity: ExactDecimal?
                while let (field, fieldType) = try item.nextField() {
                    if field == 1, fieldType == .lengthDelimited {
                        price = try item.decimal(item.lengthDelimited(), "price")
                    } else if field == 2, fieldType == .lengthDelimited {
                        quantity = try item.decimal(item.lengthDelimited(), "quantity")
                    } else {
                        try item.skip(fieldType)
                    }
                }
                guard let price, let quantity else { throw .missingField(number == 1 ? "asks" : "bids") }
                guard price.isPositive, !quantity.isNegative else { throw .nonPositive(number == 1 ? "asks" : "bids") }
                if number == 1 {
                    depth.asks.append(LevelUpdate(price: price, quantity: quantity))
                } else {
                    depth.bids.append(LevelUpdate(price: price, quantity: quantity))
                }
            case (4, .lengthDelimited):
                let version = try cursor.unsigned(cursor.lengthDelimited(), "version")
                depth.firstUpdateId = version
                if !aggregated { depth.finalUpdateId = version }
                sawVersion = true
            case (5, .lengthDelimited) where aggregated:
                depth.finalUpdateId = try cursor.unsigned(cursor.lengthDelimited(), "toVersion")
            default:
                try cursor.skip(wireType)
            }
        }
        guard sawVersion else { throw .missingField("version") }
        if aggregated {
            guard depth.finalUpdateId >= depth.firstUpdateId else { throw .missingField("toVersion") }
        }
    }
}
