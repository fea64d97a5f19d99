#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DraizerCore

/// One tradable instrument as a venue lists it, reduced to what the `Universe` needs.
///
/// Quantities (`stepSize`, `minQuantity`) are in the venue's order unit: base units on spot,
/// contracts on perpetuals that trade in contracts (OKX, Gate.io, MEXC); `contractSize` is base
/// units per order unit (1 where orders are in base units).
public struct InstrumentListing: Sendable, Equatable {
    public var source: SourceId
    public var exchangeSymbol: String
    public var base: String
    public var quote: String
    public var tickSize: ExactDecimal
    public var stepSize: ExactDecimal
    public var minQuantity: ExactDecimal
    /// Minimum order value in the quote currency; 0 when the venue sets none.
    public var minNotional: ExactDecimal
    public var contractSize: ExactDecimal
    /// Funding period where the venue's list says (perpetuals), ms.
    public var fundingIntervalMillis: UInt64?

    public init(
        source: SourceId, exchangeSymbol: String, base: String, quote: String, tickSize: ExactDecimal, stepSize: ExactDecimal,
        minQuantity: ExactDecimal, minNotional: ExactDecimal, contractSize: ExactDecimal, fundingIntervalMillis: UInt64? = nil
    ) {
        self.source = source
        self.exchangeSymbol = exchangeSymbol
        self.base = base
        self.quote = quote
        self.tickSize = tickSize
        self.stepSize = stepSize
        self.minQuantity = minQuantity
        self.minNotional = minNotional
        self.contractSize = contractSize
        self.fundingIntervalMillis = fundingIntervalMillis
    }

    /// The global symbol name, `BASE-QUOTE` (`1000PEPE-USDT` keeps the venue's prefix).
    public var symbolName: String { "\(base)-\(quote)" }
}

/// An instrument left out, and why (for the discovery report).
public struct ExcludedInstrument: Sendable, Equatable {
    public var exchangeSymbol: String
    public var reason: String
}

/// The result of parsing one venue's instrument list.
public struct InstrumentList: Sendable {
    public var listings: [InstrumentListing] = []
    public var excluded: [ExcludedInstrument] = []

    mutating func exclude(_ symbol: String, _ reason: String) {
        excluded.append(ExcludedInstrument(exchangeSymbol: symbol, reason: reason))
    }

    /// Lists `listing`, or excludes it with the reason when it fails the shared checks
    /// (`InstrumentListParser.rejection`).
    mutating func add(_ listing: InstrumentListing, separator: String, suffix: String = "") {
        if let reason = InstrumentListParser.rejection(listing, separator: separator, suffix: suffix) {
            exclude(listing.exchangeSymbol, reason)
        } else {
            listings.append(listing)
        }
    }
}

/// Why an instrument list could not be read at all.
public enum InstrumentListError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(source: String, detail: String)
    case venueError(source: String, detail: String)

    public var description: String {
        switch self {
        case .malformed(let source, let detail): "\(source) instrument list: expected the documented JSON shape, was \(detail)"
        case .venueError(let source, let detail): "\(source) instrument list: expected success, was an error response: \(detail)"
        }
    }
}

/// Parses a venue's instrument-list response body (slow path: Codable is fine here).
public enum InstrumentListParser {
    /// The quote currency Draizer trades against.
    public static let quote = "USDT"
    /// Spot quote currencies kept besides USDT: the cross pairs (ETH-BTC, SOL-ETH) that close
    /// triangular cycles with two USDT pairs on the same exchange.
    public static let crossQuotes: Set<String> = ["BTC", "ETH"]

    /// True for a quote currency kept on `market`: USDT everywhere, the cross quotes on spot.
    public static func keeps(quote: String?, market: MarketKind) -> Bool {
        guard let quote else { return false }
        return quote == Self.quote || (market == .spot && crossQuotes.contains(quote))
    }

    public static func parse(source: SourceId, body: [UInt8]) throws(InstrumentListError) -> InstrumentList {
        do {
            switch (source.exchange, source.market) {
            case (.binance, .spot): return try BinanceInstruments.spot(body)
            case (.binance, .perp): return try BinanceInstruments.perp(body)
            case (.bybit, .spot): return try BybitInstruments.spot(body)
            case (.bybit, .perp): return try BybitInstruments.perp(body)
            case (.okx, .spot): return try OKXInstruments.spot(body)
            case (.okx, .perp): return try OKXInstruments.perp(body)
            case (.gateio, .spot): return try GateIOInstruments.spot(body)
            case (.gateio, .perp): return try GateIOInstruments.perp(body)
            case (.mexc, .spot): return try MEXCInstruments.spot(body)
            case (.mexc, .perp): return try MEXCInstruments.perp(body)
            }
        } catch let error as InstrumentListError {
            throw error
        } catch let error as DecodingError {
            throw .malformed(source: source.name, detail: "\(error.problem) at \(error.jsonPath)")
        } catch {
            throw .malformed(source: source.name, detail: "\(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }

    /// Shared checks: asset codes, the symbol spelled as `base + separator + quote (+ suffix)`,
    /// positive tick/step/min quantity/contract size. Returns the reason to exclude, or nil.
    static func rejection(_ listing: InstrumentListing, separator: String, suffix: String = "") -> String? {
        guard Universe.isAssetCode(listing.base), Universe.isAssetCode(listing.quote) else {
            return "asset code is not A-Z/0-9 (\(listing.base)/\(listing.quote))"
        }
        guard listing.exchangeSymbol == listing.base + separator + listing.quote + suffix else {
            return "symbol does not spell base \(listing.base) and quote \(listing.quote)"
        }
        guard listing.tickSize.isPositive else { return "tick size \(listing.tickSize) not positive" }
        guard listing.stepSize.isPositive else { return "step size \(listing.stepSize) not positive" }
        guard listing.minQuantity.isPositive else { return "min quantity \(listing.minQuantity) not positive" }
        guard listing.contractSize.isPositive else { return "contract size \(listing.contractSize) not positive" }
        guard !listing.minNotional.isNegative else { return "min notional negative" }
        return nil
    }

    /// 10^-decimals as an exact decimal (tick or step given as a number of decimals).
    static func unit(decimals: Int) throws -> ExactDecimal {
        guard (0...ExactDecimal.maxScale).contains(decimals) else {
            throw InstrumentListError.malformed(source: "", detail: "a precision of \(decimals) decimals")
        }
        return try ExactDecimal(mantissa: 1, scale: decimals)
    }
}

/// A decimal field that venues send as a JSON string or as a JSON number; read exactly either way.
struct VenueDecimal: Decodable, Sendable {
    let value: ExactDecimal

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = try? ExactDecimal(text.isEmpty ? "0" : text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal: \"\(text)\"")
            }
            self.value = value
            return
        }
        // Foundation's Decimal reads the number's digits, not a binary double.
        let number = try container.decode(Decimal.self)
        guard let value = try? ExactDecimal("\(number)") else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "number out of range: \(number)")
        }
        self.value = value
    }
}
