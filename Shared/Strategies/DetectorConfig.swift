import Foundation  // JSONSerialization, NSNumber: the config is read once, off the hot path
import DraizerCore

/// What the opportunity detector trades on: thresholds, sizes, freshness and the taker fee of
/// every source. Loaded from JSON; every field has a default, so `{}` is a valid configuration.
/// A bad value is refused with its field named.
public struct DetectorConfig: Sendable, Equatable {
    /// Net edge (bps, after fees) at or above which an opportunity is emitted.
    public var entryBps: Double = 10
    /// Net edge at or below which a tracked spread counts as converged.
    public var exitBps: Double = 2
    /// Largest buy-side notional one opportunity is sized to (quote currency, e.g. USDT).
    public var maxNotional: Double = 10_000
    /// Prices older than this (gateway receive time) are not traded on.
    public var maxPriceAgeMillis: Int = 2_000
    /// After an emission, the same (symbol, direction) is quiet this long.
    public var cooldownMillis: Int = 1_000
    /// Spot→perp: the expected holding time over which the perp's funding counts in the spread
    /// edge (pro rata to the venue's interval; 8 h is one settlement on most venues). 0 leaves
    /// funding out.
    public var holdingHours: Double = 8
    /// Tracked spreads: a point every this many ms, closed as EXPIRED after `trackMaxSeconds`.
    public var trackIntervalMillis: Int = 200
    public var trackMaxSeconds: Double = 10_800
    /// Funding carry (buy spot, sell the perpetual, collect funding): only perpetuals whose funding
    /// is at least this per year (0.10 = 10 %) are considered …
    public var carryMinAnnualRate: Double = 0.10
    /// … over this holding time, counting the settlements that fall in it …
    public var carryHoldingHours: Double = 24
    /// … and the position is signalled when entry spread + that funding − fees ≥ this.
    public var carryEntryBps: Double = 5
    /// Quiet time per direction after a carry signal.
    public var carryCooldownMillis: Int = 60_000
    /// Taker fee in bps by source name (`binance/spot`); sources not named use `TakerFees.defaults`.
    public var takerFeeBps: [String: Double] = [:]

    public init() {}

    /// The taker fee of a source in bps.
    public func takerFee(_ source: SourceId) -> Double {
        takerFeeBps[source.name] ?? TakerFees.defaults[source.index]
    }

    /// The configuration as the JSON object `load(json:)` reads.
    public var jsonObject: [String: Any] {
        [
            "entryBps": entryBps, "exitBps": exitBps, "maxNotional": maxNotional, "maxPriceAgeMillis": maxPriceAgeMillis,
            "cooldownMillis": cooldownMillis, "holdingHours": holdingHours, "trackIntervalMillis": trackIntervalMillis,
            "trackMaxSeconds": trackMaxSeconds, "takerFeeBps": takerFeeBps, "carryMinAnnualRate": carryMinAnnualRate,
            "carryHoldingHours": carryHoldingHours, "carryEntryBps": carryEntryBps, "carryCooldownMillis": carryCooldownMillis,
        ]
    }

    /// This configuration with one numeric field changed, validated like a file.
    public func setting(_ field: String, to value: Double) throws(DetectorConfigError) -> DetectorConfig {
        guard field != "takerFeeBps", jsonObject[field] != nil else {
            let fields = jsonObject.keys.filter { $0 != "takerFeeBps" }.sorted().joined(separator: ", ")
            throw .invalid(field: field, expected: "one of \(fields)", was: "\"\(field)\"")
        }
        var object = jsonObject
        object[field] = value
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: object)
        } catch {
            throw .invalid(field: field, expected: "a number", was: "\(value)")
        }
        return try DetectorConfig.load(json: Array(data))
    }

    public static func load(json: [UInt8]) throws(DetectorConfigError) -> DetectorConfig {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
                throw DetectorConfigError.invalid(field: "(root)", expected: "a JSON object", was: "another value")
            }
            object = parsed
        } catch let error as DetectorConfigError {
            throw error
        } catch {
            throw .invalid(field: "(root)", expected: "JSON", was: "\(error)")
        }
        var config = DetectorConfig()
        let known: Set<String> = [
            "entryBps", "exitBps", "maxNotional", "maxPriceAgeMillis", "cooldownMillis", "holdingHours", "trackIntervalMillis",
            "trackMaxSeconds", "takerFeeBps", "carryMinAnnualRate", "carryHoldingHours", "carryEntryBps", "carryCooldownMillis",
        ]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalid(field: unknown, expected: "one of \(known.sorted().joined(separator: ", "))", was: "an unknown field")
        }
        func number(_ field: String, _ range: ClosedRange<Double>) throws(DetectorConfigError) -> Double? {
            guard let value = object[field] else { return nil }
            guard let number = Self.jsonNumber(value), number.isFinite, range.contains(number) else {
                throw .invalid(field: field, expected: "a number in \(range.lowerBound)...\(range.upperBound)", was: "\(value)")
            }
            return number
        }
        if let value = try number("entryBps", -10_000...10_000) { config.entryBps = value }
        if let value = try number("exitBps", -10_000...10_000) { config.exitBps = value }
        if let value = try number("maxNotional", 0.000_001...1e12) { config.maxNotional = value }
        if let value = try number("maxPriceAgeMillis", 1...3_600_000) { config.maxPriceAgeMillis = Int(value) }
        if let value = try number("cooldownMillis", 0...86_400_000) { config.cooldownMillis = Int(value) }
        if let value = try number("holdingHours", 0...8_760) { config.holdingHours = value }
        if let value = try number("trackIntervalMillis", 10...3_600_000) { config.trackIntervalMillis = Int(value) }
        if let value = try number("trackMaxSeconds", 0.1...31_536_000) { config.trackMaxSeconds = value }
        if let value = try number("carryMinAnnualRate", -10...10) { config.carryMinAnnualRate = value }
        if let value = try number("carryHoldingHours", 0...8_760) { config.carryHoldingHours = value }
        if let value = try number("carryEntryBps", -10_000...10_000) { config.carryEntryBps = value }
        if let value = try number("carryCooldownMillis", 0...86_400_000) { config.carryCooldownMillis = Int(value) }
        guard config.exitBps <= config.entryBps else {
            throw .invalid(field: "exitBps", expected: "at most entryBps (\(config.entryBps))", was: "\(config.exitBps)")
        }
        if let fees = object["takerFeeBps"] {
            guard let table = fees as? [String: Any] else { throw .invalid(field: "takerFeeBps", expected: "an object", was: "\(fees)") }
            for (name, value) in table.sorted(by: { $0.key < $1.key }) {
                guard SourceId(name: name) != nil else {
                    throw .invalid(field: "takerFeeBps.\(name)", expected: "a source such as binance/spot", was: "\"\(name)\"")
                }
                guard let fee = Self.jsonNumber(value), fee.isFinite, (0...1_000).contains(fee) else {
                    throw .invalid(field: "takerFeeBps.\(name)", expected: "a fee in bps, 0...1000", was: "\(value)")
                }
                config.takerFeeBps[name] = fee
            }
        }
        return config
    }

    /// A JSON number (JSONSerialization's booleans are NSNumbers too, of type "c": refused).
    static func jsonNumber(_ value: Any) -> Double? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return number.doubleValue
    }

    public static func load(path: String) throws(DetectorConfigError) -> DetectorConfig {
        do {
            return try load(json: try AtomicFile.read(path: path))
        } catch let error as DetectorConfigError {
            throw error.at(path)
        } catch {
            throw .io(path: path, detail: "\(error)")
        }
    }
}

/// Published standard (VIP 0) taker fees in bps, by `SourceId.index`: spot then perpetual.
public enum TakerFees {
    public static let defaults: [Double] = {
        var fees = [Double](repeating: 10, count: SourceId.count)
        let table: [(Exchange, spot: Double, perp: Double)] = [
            (.binance, 10, 5), (.bybit, 10, 5.5), (.okx, 10, 5), (.mexc, 5, 2), (.gateio, 10, 5),
        ]
        for (exchange, spot, perp) in table {
            fees[SourceId(exchange: exchange, market: .spot).index] = spot
            fees[SourceId(exchange: exchange, market: .perp).index] = perp
        }
        return fees
    }()
}

public enum DetectorConfigError: Error, Equatable, CustomStringConvertible {
    case invalid(field: String, expected: String, was: String)
    case io(path: String, detail: String)
    case inFile(path: String, field: String, expected: String, was: String)

    func at(_ path: String) -> DetectorConfigError {
        if case .invalid(let field, let expected, let was) = self { return .inFile(path: path, field: field, expected: expected, was: was) }
        return self
    }

    public var description: String {
        switch self {
        case .invalid(let field, let expected, let was): "\(field): expected \(expected), was \(was)"
        case .io(let path, let detail): "\(path): \(detail)"
        case .inFile(let path, let field, let expected, let was): "\(path): \(field): expected \(expected), was \(was)"
        }
    }
}
