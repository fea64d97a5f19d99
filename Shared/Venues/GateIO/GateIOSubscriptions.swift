import DraizerCore

/// Gate.io APIv4: `{"time":S,"channel":"spot.order_book_update","event":"subscribe","payload":["BTC_USDT","100ms"]}`.
/// Order-book updates take one pair per request (with its interval); book tickers take a list.
/// The client pings with `{"time":S,"channel":"spot.ping"}` (`futures.ping`) and gets `….pong`.
/// Gate publishes no subscription limit; 100 topics per connection keeps each connection light.
public struct GateIOSubscriptions: VenueSubscriptions {
    public let market: MarketKind

    public init(market: MarketKind) { self.market = market }

    var prefix: String { market == .spot ? "spot" : "futures" }

    public var limits: VenueLimits {
        VenueLimits(topicsPerConnection: 100, topicsPerRequest: 1, requestsPerSecond: 10, clientPingIntervalMillis: 15_000, idleTimeoutMillis: 60_000)
    }

    /// Topics are `channel|payload…`, e.g. `spot.order_book_update|BTC_USDT|100ms`.
    public func topics(exchangeSymbol: String) -> [String] {
        var topics = ["\(prefix).book_ticker|\(exchangeSymbol)", "\(prefix).order_book_update|\(exchangeSymbol)|100ms"]
        if market == .perp { topics.append("futures.tickers|\(exchangeSymbol)") }
        return topics
    }

    public func subscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] { frames("subscribe", topics, nowMillis) }

    public func unsubscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] { frames("unsubscribe", topics, nowMillis) }

    private func frames(_ event: String, _ topics: [String], _ nowMillis: Int64) -> [String] {
        topics.map { topic in
            let parts = topic.split(separator: "|").map(String.init)
            return #"{"time":\#(nowMillis / 1000),"channel":\#(ControlJSON.string(parts[0])),"event":"\#(event)","payload":\#(ControlJSON.array(parts.dropFirst()))}"#
        }
    }

    public func pingFrame(nowMillis: Int64) -> String? {
        #"{"time":\#(nowMillis / 1000),"channel":"\#(prefix).ping"}"#
    }

    public func classify(_ frame: [UInt8]) -> ControlMessage {
        guard let fields = ControlJSON.fields(frame), let channel = fields["channel"] else { return .notControl }
        if channel.hasSuffix(".pong") { return .pong }
        if let error = fields["error"], error != "null" { return .error(code: "", message: error) }
        switch fields["event"] {
        case "subscribe": return .subscribed
        case "unsubscribe": return .unsubscribed
        default: return .notControl
        }
    }
}
