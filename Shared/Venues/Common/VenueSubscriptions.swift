import DraizerCore

/// A venue's published WebSocket limits, which connection plans respect.
public struct VenueLimits: Sendable, Equatable {
    /// Topics (streams, channels × symbols) one connection may carry.
    public var topicsPerConnection: Int
    /// Topics one subscribe request may carry.
    public var topicsPerRequest: Int
    /// Subscribe/unsubscribe requests one connection may send per second.
    public var requestsPerSecond: Double
    /// How often the client must send its own ping; nil where the server pings (WS control frames).
    public var clientPingIntervalMillis: Int?
    /// Silence after which a connection counts as dead (the gateway's idle watchdog).
    public var idleTimeoutMillis: Int
}

/// What a non-data frame on a public connection means.
public enum ControlMessage: Sendable, Equatable {
    case subscribed
    case unsubscribed
    case pong
    /// The venue refused something or reports a problem; the text is the venue's own.
    case error(code: String, message: String)
    /// Not a control frame (market data, or something to parse as such).
    case notControl
}

/// One connection's worth of subscriptions.
public struct ConnectionPlan: Sendable, Equatable {
    public var topics: [String]
    /// Text frames to send after connecting, in order, at most `requestsPerSecond` per second.
    public var subscribeFrames: [String]
}

/// Subscription and heartbeat protocol of one source's public market-data WebSocket.
public protocol VenueSubscriptions: Sendable {
    var limits: VenueLimits { get }
    /// Topics for one instrument: top of book, depth and (perpetuals) funding.
    func topics(exchangeSymbol: String) -> [String]
    /// Subscribe request frames for `topics`, batched per `limits.topicsPerRequest`.
    func subscribeFrames(_ topics: [String], nowMillis: Int64) -> [String]
    func unsubscribeFrames(_ topics: [String], nowMillis: Int64) -> [String]
    /// The application-level ping to send every `clientPingIntervalMillis`, if the venue wants one.
    func pingFrame(nowMillis: Int64) -> String?
    /// Classifies acks, pongs and errors (slow path: only frames the data parsers did not take).
    func classify(_ frame: [UInt8]) -> ControlMessage
}

extension VenueSubscriptions {
    /// Spreads the instruments over as few connections as the limits allow, never splitting one
    /// instrument's topics across connections.
    public func plan(exchangeSymbols: [String], nowMillis: Int64 = 0) -> [ConnectionPlan] {
        var plans: [ConnectionPlan] = []
        var current: [String] = []
        for symbol in exchangeSymbols {
            let topics = topics(exchangeSymbol: symbol)
            if !current.isEmpty && current.count + topics.count > limits.topicsPerConnection {
                plans.append(ConnectionPlan(topics: current, subscribeFrames: subscribeFrames(current, nowMillis: nowMillis)))
                current = []
            }
            current += topics
        }
        if !current.isEmpty {
            plans.append(ConnectionPlan(topics: current, subscribeFrames: subscribeFrames(current, nowMillis: nowMillis)))
        }
        return plans
    }
}

/// The subscription protocol of a source.
public func venueSubscriptions(for source: SourceId) -> any VenueSubscriptions {
    switch source.exchange {
    case .binance: BinanceSubscriptions(market: source.market)
    case .bybit: BybitSubscriptions(market: source.market)
    case .okx: OKXSubscriptions(market: source.market)
    case .gateio: GateIOSubscriptions(market: source.market)
    case .mexc: source.market == .spot ? MEXCSpotSubscriptions() as any VenueSubscriptions : MEXCContractSubscriptions()
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(size, 1)).map { self[$0..<Swift.min($0 + Swift.max(size, 1), count)] }
    }
}

/// JSON text for control frames (tiny, allocation is fine off the hot path).
enum ControlJSON {
    static func string(_ text: String) -> String { text.jsonQuoted }

    static func array(_ items: some Sequence<String>) -> String {
        "[" + items.map(string).joined(separator: ",") + "]"
    }

    /// The top-level string and number fields of a small JSON object frame (nested values skipped).
    static func fields(_ frame: [UInt8]) -> [String: String]? {
        frame.withUnsafeBytes { raw -> [String: String]? in
            var cursor = JSONCursor(raw)
            var fields: [String: String] = [:]
            do {
                try cursor.beginObject()
                while let key = try cursor.nextKey() {
                    let name = String(decoding: cursor.bytes(key), as: UTF8.self)
                    let first = try cursor.peek()
                    let start = cursor.position
                    if first == UInt8(ascii: "\"") {
                        let value = try cursor.string()
                        fields[name] = String(decoding: cursor.bytes(value), as: UTF8.self)
                    } else {
                        try cursor.skipValue()
                        fields[name] = String(decoding: cursor.bytes(start..<cursor.position), as: UTF8.self)
                    }
                }
                return fields
            } catch {
                return nil
            }
        }
    }
}
