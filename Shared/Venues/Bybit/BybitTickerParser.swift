import DraizerCore

/// A Bybit v5 `tickers.{symbol}` message. Linear tickers come as a snapshot then deltas that
/// carry only changed fields, so every field is optional; `BybitTickerState` merges them.
/// Spot tickers carry no bid/ask.
public struct BybitTicker: Sendable, Equatable {
    public var symbol: Range<Int> = 0..<0
    public var isSnapshot = false
    /// Cross sequence (`cs`) and message time (`ts`, ms).
    public var crossSequence: UInt64 = 0
    public var timeMillis: UInt64 = 0
    public var bidPrice: ExactDecimal?
    public var bidSize: ExactDecimal?
    public var askPrice: ExactDecimal?
    public var askSize: ExactDecimal?
    public var markPrice: ExactDecimal?
    public var indexPrice: ExactDecimal?
    /// Funding rate per interval (e.g. `0.0001` = 1 bp per 8 h).
    public var fundingRate: ExactDecimal?
    /// Next settlement, ms since the epoch.
    public var nextFundingTimeMillis: UInt64?
    public var fundingIntervalHours: UInt64?

    public init() {}

    mutating func reset() { self = BybitTicker() }
}

public enum BybitTickerParser {
    public static func parse(_ frame: UnsafeRawBufferPointer, into ticker: inout BybitTicker) throws(VenueParseError) {
        ticker.reset()
        var cursor = JSONCursor(frame)
        try cursor.beginObject()
        var sawData = false
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "topic") {
                let topic = try cursor.string()
                guard cursor.bytes(topic).starts(with: "tickers.".utf8) else { throw .unsupportedMessage }
            } else if cursor.equals(key, "type") {
                let type = try cursor.string()
                ticker.isSnapshot = cursor.equals(type, "snapshot")
            } else if cursor.equals(key, "cs") {
                ticker.crossSequence = try cursor.unsigned("cs")
            } else if cursor.equals(key, "ts") {
                ticker.timeMillis = try cursor.unsigned("ts")
            } else if cursor.equals(key, "data") {
                try parseData(&cursor, into: &ticker)
                sawData = true
            } else if cursor.equals(key, "op") || cursor.equals(key, "success") {
                throw .unsupportedMessage
            } else {
                try cursor.skipValue()
            }
        }
        guard sawData else { throw .missingField("data") }
        if let bid = ticker.bidPrice, let ask = ticker.askPrice {
            guard bid.isPositive else { throw .nonPositive("bid1Price") }
            guard ask.isPositive else { throw .nonPositive("ask1Price") }
            guard bid <= ask else { throw .crossedQuote }
        }
    }

    static func parseData(_ cursor: inout JSONCursor, into ticker: inout BybitTicker) throws(VenueParseError) {
        try cursor.beginObject()
        while let key = try cursor.nextKey() {
            if cursor.equals(key, "symbol") {
                ticker.symbol = try cursor.string()
            } else if cursor.equals(key, "bid1Price") {
                ticker.bidPrice = try cursor.optionalDecimal("bid1Price")
            } else if cursor.equals(key, "bid1Size") {
                ticker.bidSize = try cursor.optionalDecimal("bid1Size")
            } else if cursor.equals(key, "ask1Price") {
                ticker.askPrice = try cursor.optionalDecimal("ask1Price")
            } else if cursor.equals(key, "ask1Size") {
                ticker.askSize = try cursor.optionalDecimal("ask1Size")
            } else if cursor.equals(key, "markPrice") {
                ticker.markPrice = try cursor.optionalDecimal("markPrice")
            } else if cursor.equals(key, "indexPrice") {
                ticker.indexPrice = try cursor.optionalDecimal("indexPrice")
            } else if cursor.equals(key, "fundingRate") {
                ticker.fundingRate = try cursor.optionalDecimal("fundingRate")
            } else if cursor.equals(key, "nextFundingTime") {
                ticker.nextFundingTimeMillis = try cursor.optionalUnsigned("nextFundingTime")
            } else if cursor.equals(key, "fundingIntervalHour") {
                ticker.fundingIntervalHours = try cursor.optionalUnsigned("fundingIntervalHour")
                if let hours = ticker.fundingIntervalHours, VenueTime.millis(fromHours: hours) == nil { throw .outOfRange("fundingIntervalHour") }
            } else {
                try cursor.skipValue()
            }
        }
    }
}

extension BybitTicker {
    /// The funding part of a (merged) linear ticker, when it has a rate.
    public var funding: FundingUpdate? {
        guard let rate = fundingRate else { return nil }
        var update = FundingUpdate()
        update.symbol = symbol
        update.rate = rate
        update.nextSettlementMillis = nextFundingTimeMillis ?? 0
        update.intervalMillis = VenueTime.millis(fromHours: fundingIntervalHours ?? 0) ?? 0
        update.markPrice = markPrice
        update.indexPrice = indexPrice
        update.eventTimeMillis = timeMillis
        return update
    }
}

/// The current ticker of one symbol: a snapshot with every later delta merged in.
public struct BybitTickerState: Sendable, Equatable {
    public private(set) var current = BybitTicker()

    public init() {}

    public mutating func received(_ ticker: BybitTicker) {
        if ticker.isSnapshot {
            current = ticker
            return
        }
        current.crossSequence = ticker.crossSequence
        current.timeMillis = ticker.timeMillis
        if let value = ticker.bidPrice { current.bidPrice = value }
        if let value = ticker.bidSize { current.bidSize = value }
        if let value = ticker.askPrice { current.askPrice = value }
        if let value = ticker.askSize { current.askSize = value }
        if let value = ticker.markPrice { current.markPrice = value }
        if let value = ticker.indexPrice { current.indexPrice = value }
        if let value = ticker.fundingRate { current.fundingRate = value }
        if let value = ticker.nextFundingTimeMillis { current.nextFundingTimeMillis = value }
        if let value = ticker.fundingIntervalHours { current.fundingIntervalHours = value }
    }
}
