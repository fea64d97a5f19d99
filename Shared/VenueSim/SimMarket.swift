#if canImport(Glibc)
import Glibc
#endif
import DraizerCore

/// The simulated world: one true price per symbol (a seeded geometric random walk) and, per
/// source, quotes around it with that venue's own offset, spread and perp basis, plus the
/// scenario's dislocations. Deterministic for a given scenario and sequence of `advance` calls.
///
/// Threading: one owner (venue-sim's market thread).
public struct SimMarket: Sendable {
    public let scenario: SimScenario
    public private(set) var truePrices: [Double]
    private var random: SimRandom
    /// Seconds since the scenario started.
    public private(set) var elapsedSeconds: Double = 0

    /// For each cross pair's index, the indices of its base's and quote's USDT pairs.
    private let crossLegs: [(cross: Int, base: Int, quote: Int)]

    public init(scenario: SimScenario) {
        self.scenario = scenario
        truePrices = scenario.symbols.map { Double((try? ExactDecimal($0.price ?? "1"))?.doubleValue ?? 1) }
        random = SimRandom(seed: scenario.seed)
        let usdt = Dictionary(
            scenario.symbols.enumerated().filter { !$0.element.isCross }.map { ($0.element.base, $0.offset) }, uniquingKeysWith: { a, _ in a })
        crossLegs = scenario.symbols.enumerated().compactMap { index, symbol in
            guard symbol.isCross, let base = usdt[symbol.base], let quote = usdt[symbol.quoteCurrency] else { return nil }
            return (index, base, quote)
        }
        priceCrosses()
    }

    /// A cross pair trades at its base's USDT price over its quote's: no cycle pays until a
    /// dislocation opens one.
    private mutating func priceCrosses() {
        for legs in crossLegs { truePrices[legs.cross] = truePrices[legs.base] / truePrices[legs.quote] }
    }

    /// Moves every true price forward by `seconds`.
    public mutating func advance(seconds: Double) {
        guard seconds > 0 else { return }
        elapsedSeconds += seconds
        for index in truePrices.indices {
            let volatility = (scenario.symbols[index].volatilityBps ?? 3) / 10_000
            truePrices[index] *= exp(volatility * seconds.squareRoot() * random.gaussian())
        }
        priceCrosses()
    }

    /// A venue's constant quirks: its offset from the true price and its half-spread (bps).
    static func venueCharacter(_ source: SourceId) -> (offsetBps: Double, halfSpreadBps: Double) {
        let offsets: [Double] = [0.0, 0.3, -0.2, 0.4, 0.1, -0.3, 0.5, 0.2, -0.4, 0.3]
        let spreads: [Double] = [0.5, 0.4, 0.8, 0.6, 0.7, 0.5, 1.2, 1.0, 1.0, 0.9]
        return (offsets[source.index], spreads[source.index])
    }

    /// Perpetuals trade at a small premium (basis) over spot.
    static let perpBasisBps = 1.5

    /// The dislocation (bps) applied to one side of `source`'s quotes for symbol `index` now.
    public func dislocationBps(symbolIndex: Int, source: SourceId, side: Side) -> Double {
        let name = scenario.symbols[symbolIndex].name
        var total = 0.0
        for dislocation in scenario.dislocations where dislocation.symbol == name && dislocation.source == source.name {
            let age = elapsedSeconds - dislocation.atSeconds
            guard age >= 0 else { continue }
            let sideMatches = dislocation.side == nil || dislocation.side == "both" || dislocation.side == (side == .buy ? "bid" : "ask")
            guard sideMatches else { continue }
            if dislocation.decaySeconds <= 0 {
                total += dislocation.bps
            } else if age < dislocation.decaySeconds {
                total += dislocation.bps * (1 - age / dislocation.decaySeconds)
            }
        }
        return total
    }

    /// Bid and ask of `source` for symbol `index` now, before tick rounding, with a little
    /// per-update noise drawn from `noise`.
    public func quote(symbolIndex: Int, source: SourceId, noise: inout SimRandom) -> (bid: Double, ask: Double) {
        let character = SimMarket.venueCharacter(source)
        var mid = truePrices[symbolIndex] * (1 + (character.offsetBps + 0.2 * noise.gaussian()) / 10_000)
        if source.market == .perp { mid *= 1 + SimMarket.perpBasisBps / 10_000 }
        let half = mid * character.halfSpreadBps / 10_000
        let bidShift = dislocationBps(symbolIndex: symbolIndex, source: source, side: .buy)
        let askShift = dislocationBps(symbolIndex: symbolIndex, source: source, side: .sell)
        var bid = (mid - half) * (1 + bidShift / 10_000)
        var ask = (mid + half) * (1 + askShift / 10_000)
        // A venue's book never crosses: a side moved through the other pushes it along, the
        // venue's spread away (a seller 60 bps under the market takes the bids down with him; the
        // ask used to stop at the bid, and the dislocation never showed).
        if ask <= bid {
            if -askShift >= bidShift {
                bid = ask - 2 * half
            } else {
                ask = bid + 2 * half
            }
        }
        return (bid, ask)
    }

    /// The funding rate a perpetual shows now (per 8 h), drifting with the basis.
    public func fundingRate(symbolIndex: Int, source: SourceId) -> Double {
        0.0001 + 0.00002 * Double(source.index % 5) + SimMarket.perpBasisBps / 1_000_000
    }
}
