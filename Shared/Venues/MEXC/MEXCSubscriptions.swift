import DraizerCore

/// MEXC spot v3: `{"method":"SUBSCRIPTION","params":["spot@public.aggre.bookTicker.v3.api.pb@100ms@BTCUSDT"]}`,
/// at most 30 subscriptions per connection; the client sends `{"method":"PING"}` and gets
/// `{"id":0,"code":0,"msg":"PONG"}`; acks echo the topic in `msg` (JSON, even on the protobuf feed).
public struct MEXCSpotSubscriptions: VenueSubscriptions {
    public init() {}

    public var limits: VenueLimits {
        VenueLimits(topicsPerConnection: 30, topicsPerRequest: 30, requestsPerSecond: 10, clientPingIntervalMillis: 20_000, idleTimeoutMillis: 60_000)
    }

    public func topics(exchangeSymbol: String) -> [String] {
        ["spot@public.aggre.bookTicker.v3.api.pb@100ms@\(exchangeSymbol)", "spot@public.aggre.depth.v3.api.pb@100ms@\(exchangeSymbol)"]
    }

    public func subscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] {
        topics.chunked(limits.topicsPerRequest).map { #"{"method":"SUBSCRIPTION","params":\#(ControlJSON.array($0))}"# }
    }

    public func unsubscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] {
        topics.chunked(limits.topicsPerRequest).map { #"{"method":"UNSUBSCRIPTION","params":\#(ControlJSON.array($0))}"# }
    }

    public func pingFrame(nowMillis: Int64) -> String? { #"{"method":"PING"}"# }

    public func classify(_ frame: [UInt8]) -> ControlMessage {
        guard let fields = ControlJSON.fields(frame), let code = fields["code"], fields["id"] != nil else { return .notControl }
        guard code == "0" else { return .error(code: code, message: fields["msg"] ?? "") }
        return fields["msg"] == "PONG" ? .pong : .subscribed
    }
}

/// MEXC contract: one request per channel and symbol, `{"method":"sub.depth","param":{"symbol":"BTC_USDT"}}`
/// (`sub.depth.full` also names its `limit`); ping `{"method":"ping"}` every 10-20 s, answered
/// `{"channel":"pong",…}`; acks `rs.sub.…` with `"data":"success"`, errors `rs.error`.
public struct MEXCContractSubscriptions: VenueSubscriptions {
    public init() {}

    public var limits: VenueLimits {
        VenueLimits(topicsPerConnection: 300, topicsPerRequest: 1, requestsPerSecond: 10, clientPingIntervalMillis: 15_000, idleTimeoutMillis: 60_000)
    }

    /// Topics are `channel|symbol`. The top of book is `depth.full` at its smallest limit: the best
    /// levels with their sizes and the book's `version` (the ticker's bid1/ask1 have neither, and
    /// the ticker is read for its funding rate only).
    public func topics(exchangeSymbol: String) -> [String] {
        ["depth.full|\(exchangeSymbol)", "depth|\(exchangeSymbol)", "funding.rate|\(exchangeSymbol)", "ticker|\(exchangeSymbol)"]
    }

    /// Levels per side of the `depth.full` top-of-book channel (MEXC takes 5, 10 or 20).
    public static let topOfBookLevels = 5

    public func subscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] { frames("sub", topics) }

    public func unsubscribeFrames(_ topics: [String], nowMillis: Int64) -> [String] { frames("unsub", topics) }

    private func frames(_ verb: String, _ topics: [String]) -> [String] {
        topics.map { topic in
            let parts = topic.split(separator: "|", maxSplits: 1).map(String.init)
            let limit = parts[0] == "depth.full" && verb == "sub" ? #","limit":\#(Self.topOfBookLevels)"# : ""
            return #"{"method":"\#(verb).\#(parts[0])","param":{"symbol":\#(ControlJSON.string(parts.count > 1 ? parts[1] : ""))\#(limit)}}"#
        }
    }

    public func pingFrame(nowMillis: Int64) -> String? { #"{"method":"ping"}"# }

    public func classify(_ frame: [UInt8]) -> ControlMessage {
        guard let fields = ControlJSON.fields(frame), let channel = fields["channel"] else { return .notControl }
        if channel == "pong" { return .pong }
        if channel == "rs.error" { return .error(code: "", message: fields["data"] ?? "") }
        if channel.hasPrefix("rs.sub.") { return fields["data"] == "success" ? .subscribed : .error(code: "", message: fields["data"] ?? "") }
        if channel.hasPrefix("rs.unsub.") { return .unsubscribed }
        return .notControl
    }
}
