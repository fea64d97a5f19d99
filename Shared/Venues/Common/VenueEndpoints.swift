import DraizerCore

/// Where a source is reached. Production values by default; every field can be overridden
/// (venue-sim on loopback, testnets) without touching protocol code.
public struct VenueEndpoints: Sendable, Equatable {
    /// REST origin without a trailing slash, e.g. `https://api.binance.com`.
    public var restBaseURL: String
    /// Public market-data WebSocket URL.
    public var publicWebSocketURL: String

    public init(restBaseURL: String, publicWebSocketURL: String) {
        self.restBaseURL = restBaseURL
        self.publicWebSocketURL = publicWebSocketURL
    }

    public static func production(_ source: SourceId) -> VenueEndpoints {
        switch (source.exchange, source.market) {
        case (.binance, .spot): .init(restBaseURL: "https://api.binance.com", publicWebSocketURL: "wss://stream.binance.com:9443/stream")
        case (.binance, .perp): .init(restBaseURL: "https://fapi.binance.com", publicWebSocketURL: "wss://fstream.binance.com/stream")
        case (.bybit, .spot): .init(restBaseURL: "https://api.bybit.com", publicWebSocketURL: "wss://stream.bybit.com/v5/public/spot")
        case (.bybit, .perp): .init(restBaseURL: "https://api.bybit.com", publicWebSocketURL: "wss://stream.bybit.com/v5/public/linear")
        case (.okx, _): .init(restBaseURL: "https://www.okx.com", publicWebSocketURL: "wss://ws.okx.com:8443/ws/v5/public")
        case (.gateio, .spot): .init(restBaseURL: "https://api.gateio.ws", publicWebSocketURL: "wss://api.gateio.ws/ws/v4/")
        case (.gateio, .perp): .init(restBaseURL: "https://api.gateio.ws", publicWebSocketURL: "wss://fx-ws.gateio.ws/v4/ws/usdt")
        case (.mexc, .spot): .init(restBaseURL: "https://api.mexc.com", publicWebSocketURL: "wss://wbs-api.mexc.com/ws")
        case (.mexc, .perp): .init(restBaseURL: "https://contract.mexc.com", publicWebSocketURL: "wss://contract.mexc.com/edge")
        }
    }

    /// `METHOD https://host/path?query` plus `  body: …` — the one-line form operators and the
    /// signing vectors use to describe a request.
    public func describe(method: SignableRequest.Method, path: String, signed: SignedRequest) -> String {
        var line = "\(method.rawValue) \(restBaseURL)\(path)"
        if !signed.query.isEmpty { line += "?\(signed.query)" }
        if !signed.body.isEmpty { line += "  body: \(signed.body)" }
        return line
    }
}
