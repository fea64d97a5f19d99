import DraizerCore

/// Binance combined streams: `{"method":"SUBSCRIBE","params":["btcusdt@bookTicker",…],"id":N}`.
/// 1024 streams per connection; 5 (spot) or 10 (futures) incoming messages per second; the
/// server sends WS ping frames (every 20 s spot, 3 min futures) that the client answers with
/// pong frames, so there is no JSON ping. Acks are `{"result":null,"id":N}`.
public struct BinanceSubscriptions: VenueSubscriptions {
    public let market: MarketKind

    public init(market: MarketKind) { self.market = market }

    public var limits: VenueLimits {
        VenueLimits(
            topicsPerConnection: 1024, topicsPerRequest: 200, requestsPerSecond: market == .spot ? 5 : 10,
            clientPingIntervalMillis: nil, idleTimeoutMillis: 60_000)
    }

    public func topics(exchangeSymbol: String) -> [String] {
        let stream = exchangeSymbol.lowercased()
        var topics = ["\(stream)@bookTicker", "\(stream)@depth@100ms"]
        if market == .perp { topics.append("\(stream)@markPrice@1s") }
        return topics
    }

    public func subscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] {
        frames("SUBSCRIBE", topics)
    }

    public func unsubscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] {
        frames("UNSUBSCRIBE", topics)
    }

    private func frames(_ method: String, _ topics: [String]) -> [String] {
        topics.chunked(limits.topicsPerRequest).enumerated().map { index, batch in
            #"{"method":"\#(method)","params":\#(ControlJSON.array(batch)),"id":\#(index + 1)}"#
        }
    }

    public func pingFrame(nowMillis: Int64) -> String? { nil }

    public func classify(_ frame: [UInt8]) -> ControlMessage {
        guard let fields = ControlJSON.fields(frame) else { return .notControl }
        if fields["result"] == "null", fields["id"] != nil { return .subscribed }
        if let error = fields["error"] {
            return .error(code: "", message: error)
        }
        if let code = fields["code"], let message = fields["msg"] { return .error(code: code, message: message) }
        return .notControl
    }
}
