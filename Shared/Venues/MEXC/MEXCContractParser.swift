import DraizerCore

/// MEXC contract (USDT perpetual) JSON pushes and REST bodies. Numbers are JSON numbers, read
/// exactly from their text.
/// - `push.ticker`: `bid1`/`ask1` (no sizes: quantities 0), `fundingRate`, `fairPrice`, `indexPrice`;
/// - `push.depth` (diff) and `push.depth.full` (the best 5, 10 or 20 levels now: a book-shaped top
///   of book, `isTopOfBookOnly`): levels `[price, contracts, orders]`, `version`;
/// - `push.funding.rate`: `rate`, `nextSettleTime`;
/// - REST `/api/v1/contract/depth/{symbol}` and `/api/v1/contract/funding_rate/{symbol}`.
public enum MEXCContractParser {
    public enum Channel: Sendable, Equatable {
        case ticker
        case depth
        case fundingRate
    }

    /// Reads the envelope and the data of the channels above; other channels → `unsupportedMessage`.
    public static func parse(
        _ frame: UnsafeRawBufferPointer, quote: inout TopOfBookQuote, depth: inout DepthMessage, funding: inout FundingUpdate
    ) throws(VenueParseError) -> Channel {
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var channel: Channel?
        var dataStart: Int?
        var symbol: Range<Int> = 0..<0
        var time: UInt64 = 0
        var isSnapshot = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "channel") {
                let name = try cursor.string()
                if cursor.equals(name, "push.ticker") {
                    channel = .ticker
                } else if cursor.equals(name, "push.depth") {
                    channel = .depth
                } else if cursor.equals(name, "push.depth.full") {
                    channel = .depth
                    isSnapshot = true
                } else if cursor.equals(name, "push.funding.rate") {
                    channel = .fundingRate
                } else {
                    throw .unsupportedMessage
                }
            } else if cursor.equals(key, "data") {
                dataStart = cursor.position
                try cursor.skipValue()
            } else if cursor.equals(key, "symbol") {
                symbol = try cursor.string()
            } else if cursor.equals(key, "ts") {
                time = try cursor.unsigned("ts")
            } else {
                try cursor.skipValue()
            }
        }
        guard let channel else { throw .missingField("channel") }
        guard let dataStart else { throw .missingField("data") }
        // The channel may follow the data (key order is not fixed): read the data second.
        cursor.rewind(to: dataStart)
        switch channel {
        case .ticker:
            quote = TopOfBookQuote()
            funding = FundingUpdate()
            try readTicker(&cursor, quote: &quote, funding: &funding)
            quote.symbol = symbol
            funding.symbol = symbol
            if quote.eventTimeMillis == 0 { quote.eventTimeMillis = time }
            funding.eventTimeMillis = quote.eventTimeMillis
            try quote.validate()
        case .depth:
            depth.reset()
            try readDepth(&cursor, into: &depth)
            depth.isSnapshot = isSnapshot
            depth.isTopOfBookOnly = isSnapshot
            depth.symbol = symbol
            depth.eventTimeMillis = time
        case .fundingRate:
            funding = FundingUpdate()
            try readFunding(&cursor, into: &funding)
            funding.symbol = symbol
            funding.eventTimeMillis = time
        }
        return channel
    }

    static func readTicker(_ cursor: inout JSONCursor, quote: inout TopOfBookQuote, funding: inout FundingUpdate) throws(VenueParseError) {
        try cursor.beginObject()
        var seen: UInt8 = 0
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "bid1") {
                quote.bidPrice = try cursor.decimal("bid1")
                seen |= 1
            } else if cursor.equals(key, "ask1") {
                quote.askPrice = try cursor.decimal("ask1")
                seen |= 2
            } else if cursor.equals(key, "fundingRate") {
                funding.rate = try cursor.decimal("fundingRate")
            } else if cursor.equals(key, "fairPrice") {
                funding.markPrice = try cursor.decimal("fairPrice")
            } else if cursor.equals(key, "indexPrice") {
                funding.indexPrice = try cursor.decimal("indexPrice")
            } else if cursor.equals(key, "timestamp") {
                quote.eventTimeMillis = try cursor.unsigned("timestamp")
            } else {
                try cursor.skipValue()
            }
        }
        guard seen & 1 != 0 else { throw .missingField("bid1") }
        guard seen & 2 != 0 else { throw .missingField("ask1") }
    }

    static func readDepth(_ cursor: inout JSONCursor, into depth: inout DepthMessage) throws(VenueParseError) {
        try cursor.beginObject()
        var sawVersion = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "asks") {
                try cursor.levels(into: &depth.asks, field: "asks")
            } else if cursor.equals(key, "bids") {
                try cursor.levels(into: &depth.bids, field: "bids")
            } else if cursor.equals(key, "version") {
                depth.finalUpdateId = try cursor.unsigned("version")
                depth.firstUpdateId = depth.finalUpdateId
                sawVersion = true
            } else {
                try cursor.skipValue()
            }
        }
        guard sawVersion else { throw .missingField("version") }
    }

    static func readFunding(_ cursor: inout JSONCursor, into funding: inout FundingUpdate) throws(VenueParseError) {
        try cursor.beginObject()
        var sawRate = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "rate") || cursor.equals(key, "fundingRate") {
                funding.rate = try cursor.decimal("rate")
                sawRate = true
            } else if cursor.equals(key, "nextSettleTime") {
                funding.nextSettlementMillis = try cursor.unsigned("nextSettleTime")
            } else if cursor.equals(key, "collectCycle") {
                guard let millis = VenueTime.millis(fromHours: try cursor.unsigned("collectCycle")) else { throw .outOfRange("collectCycle") }
                funding.intervalMillis = millis
            } else if cursor.equals(key, "timestamp") {
                funding.eventTimeMillis = try cursor.unsigned("timestamp")
            } else {
                try cursor.skipValue()
            }
        }
        guard sawRate else { throw .missingField("rate") }
    }

    /// REST `{"success":true,"code":0,"data":{…}}` bodies: the depth snapshot.
    public static func parseDepthSnapshot(_ body: UnsafeRawBufferPointer, into depth: inout DepthMessage) throws(VenueParseError) {
        depth.reset()
        depth.isSnapshot = true
        var cursor = try enterData(body)
        try readDepth(&cursor, into: &depth)
    }

    /// REST funding rate body.
    public static func parseFundingRate(_ body: UnsafeRawBufferPointer, into funding: inout FundingUpdate) throws(VenueParseError) {
        funding = FundingUpdate()
        var cursor = try enterData(body)
        try readFunding(&cursor, into: &funding)
    }

    /// Checks `success`/`code` and positions the cursor at `data`.
    static func enterData(_ body: UnsafeRawBufferPointer) throws(VenueParseError) -> JSONCursor {
        var cursor = JSONCursor(body)
        try cursor.beginObject()
        var dataStart: Int?
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "code") {
                guard try cursor.signed("code") == 0 else { throw .unsupportedMessage }
            } else if cursor.equals(key, "success") {
                let start = cursor.position
                try cursor.skipValue()
                let value = cursor.bytes(start..<cursor.position)
                guard !value.contains(UInt8(ascii: "f")) else { throw .unsupportedMessage }
            } else if cursor.equals(key, "data") {
                dataStart = cursor.position
                try cursor.skipValue()
            } else {
                try cursor.skipValue()
            }
        }
        guard let dataStart else { throw .missingField("data") }
        cursor.rewind(to: dataStart)
        return cursor
    }
}

/// MEXC spot REST `GET /api/v3/depth`: the same `lastUpdateId` snapshot shape as Binance's.
public enum MEXCSpotDepthParser {
    public static func parseSnapshot(_ body: UnsafeRawBufferPointer, into message: inout DepthMessage) throws(VenueParseError) {
        try LastUpdateIdSnapshotParser.parse(body, into: &message)
    }
}
