import DraizerCore

/// Bybit v5: `{"op":"subscribe","args":["orderbook.50.BTCUSDT",…]}`. Spot takes at most 10 args
/// per request; the client sends `{"op":"ping"}` every 20 s. Acks carry `"success":true` and
/// `"op":"subscribe"`; pongs `"op":"pong"` (linear) or `"ret_msg":"pong"` (spot).
public struct BybitSubscriptions: VenueSubscriptions {
    public let market: MarketKind
    /// Book depth subscribed (1, 50, 200 or 1000 on linear; 1, 50 or 200 on spot).
    public var depth = 50

    public init(market: MarketKind) { self.market = market }

    public var limits: VenueLimits {
        VenueLimits(
            topicsPerConnection: market == .spot ? 200 : 400, topicsPerRequest: 10, requestsPerSecond: 10,
            clientPingIntervalMillis: 20_000, idleTimeoutMillis: 60_000)
    }

    /// The level-1 book is the top of book on both markets (pushed every 10 ms; linear tickers
    /// carry bid1/ask1 only every 100 ms); linear tickers are subscribed for their funding.
    public func topics(exchangeSymbol: String) -> [String] {
        let books = ["orderbook.1.\(exchangeSymbol)", "orderbook.\(depth).\(exchangeSymbol)"]
        return market == .spot ? books : books + ["tickers.\(exchangeSymbol)"]
    }

    public func subscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] {
        topics.chunked(limits.topicsPerRequest).map { #"{"op":"subscribe","args":\#(ControlJSON.array($0))}"# }
    }

    public func unsubscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] {
        topics.chunked(limits.topicsPerRequest).map { #"{"op":"unsubscribe","args":\#(ControlJSON.array($0))}"# }
    }

    public func pingFrame(nowMillis: Int64) -> String? { #"{"op":"ping"}"# }

    public func classify(_ frame: [UInt8]) -> ControlMessage {
        guard let fields = ControlJSON.fields(frame) else { return .notControl }
        if fields["op"] == "pong" || fields["ret_msg"] == "pong" { return .pong }
        guard let success = fields["success"] else { return .notControl }
        guard success == "true" else { return .error(code: "", message: fields["ret_msg"] ?? "") }
        switch fields["op"] {
        case "subscribe": return .subscribed
        case "unsubscribe": return .unsubscribed
        case "ping": return .pong
        default: return .notControl
        }
    }
}
