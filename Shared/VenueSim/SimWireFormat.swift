import DraizerCore

/// Everything a simulated venue sends, in that venue's real wire format.
public protocol SimWireFormat: Sendable {
    var source: SourceId { get }
    /// The top-of-book frame after an update.
    func topOfBook(_ book: SimVenueBook, timeMillis: Int64, fundingRate: Double) -> [UInt8]
    /// The depth diff frame for `changes` (nil when the venue's depth channel sends nothing).
    func depthUpdate(_ book: SimVenueBook, changes: [SimLevelChange], timeMillis: Int64) -> [UInt8]
    /// The depth snapshot: a REST body (Binance, Gate.io, MEXC) or the WS snapshot (Bybit, OKX).
    func depthSnapshot(_ book: SimVenueBook, timeMillis: Int64) -> [UInt8]
    /// The instrument-list REST body.
    func instruments(_ instruments: [SimInstrument], fundingRates: [Double], timeMillis: Int64) -> [UInt8]
    /// A funding frame (perpetuals; nil where funding rides on the top-of-book frame or on spot).
    func funding(_ book: SimVenueBook, rate: Double, nextSettlementMillis: Int64, timeMillis: Int64) -> [UInt8]?
    /// True when the venue sends the depth snapshot on the WebSocket after subscribing.
    var snapshotOnSubscribe: Bool { get }
}

public func simWireFormat(for source: SourceId) -> any SimWireFormat {
    switch source.exchange {
    case .binance: SimBinanceFormat(source: source)
    case .bybit: SimBybitFormat(source: source)
    case .okx: SimOKXFormat(source: source)
    case .gateio: SimGateIOFormat(source: source)
    case .mexc: source.market == .spot ? SimMEXCSpotFormat(source: source) as any SimWireFormat : SimMEXCContractFormat(source: source)
    }
}

/// Decimal text helpers shared by the writers.
enum SimText {
    /// Exactly `scale` decimals (Binance, Bybit, Gate.io style).
    static func fixed(_ mantissa: Int64, _ scale: Int) -> String {
        ExactDecimal(fixedPoint: mantissa, scale: scale).description
    }

    /// No trailing zeros (OKX, MEXC JSON numbers).
    static func plain(_ mantissa: Int64, _ scale: Int) -> String {
        ExactDecimal(fixedPoint: mantissa, scale: scale).normalized.description
    }

    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    static func rate(_ value: Double) -> String {
        let scaled = Int64((value * 1e8).rounded())
        return ExactDecimal(fixedPoint: scaled, scale: 8).normalized.description
    }

    /// `[["p","q"],…]` best first, prices and sizes as strings.
    static func pairs(_ levels: [(Int64, Int64)], _ priceScale: Int, _ quantityScale: Int, plain: Bool = false) -> String {
        "[" + levels.map { level in
            let price = plain ? SimText.plain(level.0, priceScale) : fixed(level.0, priceScale)
            let quantity = plain ? SimText.plain(level.1, quantityScale) : fixed(level.1, quantityScale)
            return "[\"\(price)\",\"\(quantity)\"]"
        }.joined(separator: ",") + "]"
    }

    static func levels(_ levels: [BookLevel]) -> [(Int64, Int64)] { levels.map { ($0.price, $0.quantity) } }

    static func changes(_ changes: [SimLevelChange], _ side: Side) -> [(Int64, Int64)] {
        changes.filter { $0.side == side }.map { ($0.price, $0.quantity) }
    }
}
