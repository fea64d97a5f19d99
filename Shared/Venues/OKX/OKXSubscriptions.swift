import DraizerCore

/// OKX v5 public: `{"op":"subscribe","args":[{"channel":"bbo-tbt","instId":"BTC-USDT"},…]}`,
/// at most 64 KB per request and 480 requests per hour per connection; the client sends the
/// text `ping` when 30 s pass without a message and gets `pong`. Acks are
/// `{"event":"subscribe",…}`; errors `{"event":"error","code":…,"msg":…}`.
public struct OKXSubscriptions: VenueSubscriptions {
    public let market: MarketKind

    public init(market: MarketKind) { self.market = market }

    public var limits: VenueLimits {
        VenueLimits(
            topicsPerConnection: 600, topicsPerRequest: 100, requestsPerSecond: 480.0 / 3600,
            clientPingIntervalMillis: 25_000, idleTimeoutMillis: 30_000)
    }

    /// Topics are `channel|instId` pairs.
    public func topics(exchangeSymbol: String) -> [String] {
        var topics = ["bbo-tbt|\(exchangeSymbol)", "books|\(exchangeSymbol)"]
        if market == .perp { topics.append("funding-rate|\(exchangeSymbol)") }
        return topics
    }

    public func subscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] { frames("subscribe", topics) }

    public func unsubscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] { frames("unsubscribe", topics) }

    private func frames(_ op: String, _ topics: [String]) -> [String] {
        topics.chunked(limits.topicsPerRequest).map { batch in
            let arguments = batch.map { topic -> String in
                let parts = topic.split(separator: "|", maxSplits: 1).map(String.init)
                return #"{"channel":\#(ControlJSON.string(parts[0])),"instId":\#(ControlJSON.string(parts.count > 1 ? parts[1] : ""))}"#
            }
            return #"{"op":"\#(op)","args":[\#(arguments.joined(separator: ","))]}"#
        }
    }

    public func pingFrame(nowMillis: Int64) -> String? { "ping" }

    public func classify(_ frame: [UInt8]) -> ControlMessage {
        if frame == Array("pong".utf8) { return .pong }
        guard let fields = ControlJSON.fields(frame), let event = fields["event"] else { return .notControl }
        switch event {
        case "subscribe": return .subscribed
        case "unsubscribe": return .unsubscribed
        case "error": return .error(code: fields["code"] ?? "", message: fields["msg"] ?? "")
        default: return .error(code: fields["code"] ?? "", message: "\(event): \(fields["msg"] ?? "")")
        }
    }
}
