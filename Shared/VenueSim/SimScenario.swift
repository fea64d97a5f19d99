#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DraizerCore

/// What venue-sim simulates: symbols, update rate, depth, and a schedule of dislocations and
/// faults. Loaded from a JSON scenario file; every field has a default so `{}` is a valid
/// (quiet) market.
public struct SimScenario: Sendable, Equatable, Codable {
    public struct Symbol: Sendable, Equatable, Codable {
        public var base: String
        /// Starting true price (USDT pairs; a cross pair's price follows its two USDT pairs).
        public var price: String?
        /// Random-walk volatility, basis points per √second.
        public var volatilityBps: Double?
        /// Tick size on every venue (venue-specific ticks are derived: OKX/Gate/MEXC use it as is).
        public var tick: String?
        public var step: String?
        /// Size unit of the simulated book levels (a multiple of `step`; default `step`): levels
        /// hold 1 to 401 lots, so a fine step does not make a thin book.
        public var lot: String? = nil
        /// USDT (default), or the base of another listed USDT pair for a cross pair such as
        /// ETH-BTC: listed on the spot venues only, priced at ETH-USDT / BTC-USDT, so it closes a
        /// triangular cycle with them.
        public var quote: String? = nil

        public var quoteCurrency: String { quote ?? "USDT" }
        public var isCross: Bool { quoteCurrency != "USDT" }
        /// `BASE-QUOTE`, as the scenario's dislocations and faults name it.
        public var name: String { "\(base)-\(quoteCurrency)" }

        /// Cross pairs are listed on spot venues only.
        public func isListed(on source: SourceId) -> Bool { source.market == .spot || !isCross }
    }

    /// A price dislocation: from `atSeconds`, `source`'s quotes for `symbol` move by `bps`
    /// (positive = up), decaying linearly to 0 over `decaySeconds`.
    public struct Dislocation: Sendable, Equatable, Codable {
        public var atSeconds: Double
        public var symbol: String
        public var source: String
        public var bps: Double
        public var decaySeconds: Double
        /// `bid`, `ask` or `both` (default).
        public var side: String?
    }

    public enum FaultKind: String, Sendable, Codable, CaseIterable {
        /// Close every WebSocket connection of the source.
        case dropConnection = "drop_connection"
        /// Skip one sequence number / update id in the next depth message.
        case skipSequence = "skip_sequence"
        /// Send a wrong checksum (OKX) or a wrong previous id.
        case corruptChecksum = "corrupt_checksum"
        /// Send one frame that is not valid JSON / protobuf.
        case malformedFrame = "malformed_frame"
        /// Stop updating `symbol` for `durationSeconds`.
        case staleSymbol = "stale_symbol"
        /// Answer REST with `status` (429, 500, 503) for `durationSeconds`.
        case restError = "rest_error"
        /// Delay every frame by `latencyMillis` for `durationSeconds`.
        case latency
    }

    public struct Fault: Sendable, Equatable, Codable {
        public var atSeconds: Double
        public var source: String
        public var kind: FaultKind
        public var symbol: String?
        public var durationSeconds: Double?
        public var status: Int?
        public var latencyMillis: Int?
    }

    public var seed: UInt64
    /// Book updates per second per (symbol, source) in normal mode.
    public var updatesPerSecond: Double
    /// Levels per side on every book.
    public var depthLevels: Int
    public var symbols: [Symbol]
    public var dislocations: [Dislocation]
    public var faults: [Fault]

    public init(
        seed: UInt64 = 42, updatesPerSecond: Double = 20, depthLevels: Int = 20, symbols: [Symbol] = SimScenario.defaultSymbols,
        dislocations: [Dislocation] = [], faults: [Fault] = []
    ) {
        self.seed = seed
        self.updatesPerSecond = updatesPerSecond
        self.depthLevels = depthLevels
        self.symbols = symbols
        self.dislocations = dislocations
        self.faults = faults
    }

    public static let defaultSymbols: [Symbol] = [
        Symbol(base: "BTC", price: "65000", volatilityBps: 3, tick: "0.1", step: "0.00001", lot: "0.001"),
        Symbol(base: "ETH", price: "3200", volatilityBps: 4, tick: "0.01", step: "0.0001", lot: "0.01"),
        Symbol(base: "SOL", price: "150", volatilityBps: 6, tick: "0.01", step: "0.1"),
        Symbol(base: "DOGE", price: "0.15", volatilityBps: 8, tick: "0.00001", step: "1"),
        Symbol(base: "ETH", price: nil, tick: "0.000001", step: "0.0001", lot: "0.01", quote: "BTC"),
    ]

    enum CodingKeys: String, CodingKey {
        case seed, updatesPerSecond, depthLevels, symbols, dislocations, faults
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Read signed first: a negative UInt64 makes the decoder call the whole file invalid JSON.
        // Seeds from 2^63 up (a random 64-bit word) do not fit Int64 and are read unsigned.
        if !container.contains(.seed) {
            seed = 42
        } else if let signedSeed = try? container.decode(Int64.self, forKey: .seed) {
            guard signedSeed >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: .seed, in: container, debugDescription: "expected a non-negative integer, was \(signedSeed)")
            }
            seed = UInt64(signedSeed)
        } else if let unsignedSeed = try? container.decode(UInt64.self, forKey: .seed) {
            seed = unsignedSeed
        } else {
            // Foundation calls a number that fits neither type "not valid JSON": name the field.
            let shown = (try? container.decode(Double.self, forKey: .seed)).map { "\($0)" } ?? "another type"
            throw DecodingError.dataCorruptedError(
                forKey: .seed, in: container, debugDescription: "expected an integer from 0 to 18446744073709551615, was \(shown)")
        }
        updatesPerSecond = try container.decodeIfPresent(Double.self, forKey: .updatesPerSecond) ?? 20
        depthLevels = try container.decodeIfPresent(Int.self, forKey: .depthLevels) ?? 20
        symbols = try container.decodeIfPresent([Symbol].self, forKey: .symbols) ?? SimScenario.defaultSymbols
        dislocations = try container.decodeIfPresent([Dislocation].self, forKey: .dislocations) ?? []
        faults = try container.decodeIfPresent([Fault].self, forKey: .faults) ?? []
    }

    /// Reads and checks a scenario file; errors name the field.
    public static func load(json: [UInt8]) throws(SimScenarioError) -> SimScenario {
        let scenario: SimScenario
        do {
            scenario = try JSONDecoder().decode(SimScenario.self, from: Data(json))
        } catch let error as DecodingError {
            throw .malformed("\(error.jsonPath): \(error.problem)")
        } catch {
            throw .malformed("\(error)")
        }
        try scenario.validate()
        return scenario
    }

    public func validate() throws(SimScenarioError) {
        guard updatesPerSecond > 0, updatesPerSecond <= 100_000 else {
            throw .invalid("updatesPerSecond: expected 0 < rate ≤ 100000, was \(updatesPerSecond)")
        }
        guard (1...50).contains(depthLevels) else { throw .invalid("depthLevels: expected 1...50, was \(depthLevels)") }
        guard !symbols.isEmpty else { throw .invalid("symbols: expected at least one, was none") }
        let names = Set(symbols.map(\.name))
        guard names.count == symbols.count else { throw .invalid("symbols: expected unique BASE-QUOTE names, a name repeats") }
        let usdtBases = Set(symbols.filter { !$0.isCross }.map(\.base))
        for (index, symbol) in symbols.enumerated() {
            // Every venue's symbol is built from these (BTCUSDT, BTC-USDT, BTC_USDT): capitals and
            // digits only, as exchanges list them.
            for (field, currency) in [("base", symbol.base), ("quote", symbol.quoteCurrency)] {
                guard currency.utf8.count <= 10, Universe.isAssetCode(currency) else {
                    throw .invalid("symbols[\(index)].\(field): expected 1-10 capital letters or digits, was \"\(currency)\"")
                }
            }
            if symbol.isCross {
                guard usdtBases.contains(symbol.base), usdtBases.contains(symbol.quoteCurrency) else {
                    throw .invalid(
                        "symbols[\(index)]: a cross pair needs \(symbol.base)-USDT and \(symbol.quoteCurrency)-USDT listed, was \(symbol.name)")
                }
                guard symbol.price == nil else {
                    throw .invalid("symbols[\(index)].price: a cross pair's price follows its USDT pairs; expected none, was \"\(symbol.price!)\"")
                }
            } else if (try? ExactDecimal(symbol.price ?? ""))?.isPositive != true {
                throw .invalid("symbols[\(index)].price: expected a positive decimal, was \"\(symbol.price ?? "none")\"")
            }
            if let volatility = symbol.volatilityBps, !(0...1_000).contains(volatility) {
                throw .invalid("symbols[\(index)].volatilityBps: expected 0...1000 bps per √s, was \(volatility)")
            }
            if let tick = symbol.tick, (try? ExactDecimal(tick))?.isPositive != true {
                throw .invalid("symbols[\(index)].tick: expected a positive decimal, was \"\(tick)\"")
            }
            let step = symbol.step.flatMap { try? ExactDecimal($0) } ?? "0.001"
            guard step.isPositive else { throw .invalid("symbols[\(index)].step: expected a positive decimal, was \"\(symbol.step ?? "")\"") }
            if let lot = symbol.lot {
                let steps = (try? ExactDecimal(lot)).map { $0.doubleValue / step.doubleValue } ?? 0
                guard steps >= 1, abs(steps - steps.rounded()) < 1e-9 else {
                    throw .invalid("symbols[\(index)].lot: expected a positive multiple of the step \(step), was \"\(lot)\"")
                }
            }
        }
        for (index, dislocation) in dislocations.enumerated() {
            guard names.contains(dislocation.symbol) else {
                throw .invalid("dislocations[\(index)].symbol: expected BASE-QUOTE of a listed symbol, was \"\(dislocation.symbol)\"")
            }
            guard SourceId(name: dislocation.source) != nil else {
                throw .invalid("dislocations[\(index)].source: expected exchange/market, was \"\(dislocation.source)\"")
            }
            guard dislocation.decaySeconds >= 0, dislocation.atSeconds >= 0 else {
                throw .invalid("dislocations[\(index)]: expected non-negative times")
            }
            // Within ±50 %: prices stay positive and in range of the venues' fixed-point fields.
            guard (-5_000...5_000).contains(dislocation.bps) else {
                throw .invalid("dislocations[\(index)].bps: expected -5000...5000, was \(dislocation.bps)")
            }
            guard [nil, "bid", "ask", "both"].contains(dislocation.side) else {
                throw .invalid("dislocations[\(index)].side: expected bid, ask or both, was \"\(dislocation.side ?? "")\"")
            }
        }
        for (index, fault) in faults.enumerated() {
            guard SourceId(name: fault.source) != nil else {
                throw .invalid("faults[\(index)].source: expected exchange/market, was \"\(fault.source)\"")
            }
            guard fault.atSeconds >= 0, (fault.durationSeconds ?? 0) >= 0 else {
                throw .invalid("faults[\(index)]: expected non-negative times")
            }
            if let status = fault.status, !(100...599).contains(status) {
                throw .invalid("faults[\(index)].status: expected an HTTP status 100...599, was \(status)")
            }
            if let latency = fault.latencyMillis, !(0...60_000).contains(latency) {
                throw .invalid("faults[\(index)].latencyMillis: expected 0...60000, was \(latency)")
            }
        }
    }
}

public enum SimScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .malformed(let detail): "scenario: expected JSON of the scenario shape, was: \(detail)"
        case .invalid(let detail): "scenario \(detail)"
        }
    }
}
