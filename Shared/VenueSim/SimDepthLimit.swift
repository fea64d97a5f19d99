import DraizerCore

/// How many levels per side a REST depth request gets, by each venue's published rule for its
/// `limit` parameter, and the venue's refusal of a value it does not take.
///
/// - Binance spot, MEXC spot: 1 to 5000, more is cut to 5000; default 100.
/// - Binance USDⓈ-M: one of 5, 10, 20, 50, 100, 500, 1000; default 500.
/// - Gate.io spot and USDT futures: 1 to 100; default 10.
/// - MEXC contract: the path takes no `limit`; the whole book.
public enum SimDepthLimit {
    public enum Outcome: Sendable, Equatable {
        /// At most this many levels per side; nil for the whole book.
        case levels(Int?)
        /// HTTP 400 with this body, in the venue's error shape.
        case refused(body: String)
    }

    static let binanceFuturesLimits = [5, 10, 20, 50, 100, 500, 1000]

    public static func resolve(_ source: SourceId, query: [String: String]) -> Outcome {
        let text = query["limit"]
        // A count as the venues read one: digits only (no sign, no spaces), within Int.
        let value = text.flatMap { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) ? Int($0) : nil }
        switch (source.exchange, source.market) {
        case (.binance, .spot), (.mexc, .spot):
            guard text != nil else { return .levels(100) }
            guard let value, value >= 1 else {
                return .refused(body: #"{"code":-1100,"msg":"Illegal characters found in parameter 'limit'; legal range is '1 to 5000'."}"#)
            }
            return .levels(min(value, 5000))
        case (.binance, .perp):
            guard text != nil else { return .levels(500) }
            guard let value, binanceFuturesLimits.contains(value) else {
                return .refused(body: #"{"code":-1130,"msg":"Data sent for parameter 'limit' is not valid."}"#)
            }
            return .levels(value)
        case (.gateio, _):
            guard text != nil else { return .levels(10) }
            guard let value, (1...100).contains(value) else {
                return .refused(body: #"{"label":"INVALID_PARAM_VALUE","message":"limit must be within 1 and 100"}"#)
            }
            return .levels(value)
        case (.mexc, .perp), (.bybit, _), (.okx, _):
            return .levels(nil)
        }
    }
}
