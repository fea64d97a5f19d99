import DraizerCore
import Venues

/// Turns the instrument lists of the sources that answered into a `Universe`: global symbols
/// (sorted by name, so the same lists always give the same `SymbolId`s), one instrument per
/// (symbol, source) and the directions of the enabled kinds. Directions are built for USDT pairs
/// only (sizes and notionals are in USDT); a cross pair (ETH-BTC) is kept when, with two USDT
/// pairs of the same spot source, it closes a triangular cycle, and those USDT pairs are kept with
/// it. Symbols neither can use are left out and reported. Pure: lists in, universe and report out.
public struct UniverseBuilder: Sendable {
    public var directionKinds: Set<DirectionKind>
    /// Keep the cross pairs (and USDT legs) of triangular cycles.
    public var triangularCycles: Bool

    public init(directionKinds: Set<DirectionKind> = [.spotSpot, .spotPerp], triangularCycles: Bool = true) {
        self.directionKinds = directionKinds
        self.triangularCycles = triangularCycles
    }

    public struct Result: Sendable {
        public var universe: Universe
        /// Symbols seen on a single source only (or on no pair of sources a direction needs) and
        /// in no cycle.
        public var unpaired: [String]
        public var directionCounts: [DirectionKind: Int]
        /// Triangular cycles: (spot source, cross pair) whose two USDT legs that source lists.
        public var cycleCount: Int
    }

    public func build(_ lists: [SourceId: [InstrumentListing]]) throws(UniverseError) -> Result {
        var listingsBySymbol: [String: [InstrumentListing]] = [:]
        for (_, listings) in lists {
            for listing in listings { listingsBySymbol[listing.symbolName, default: []].append(listing) }
        }
        let cycles = triangularCycles ? Self.cycles(lists) : []
        let inCycles = Set(cycles.flatMap { [$0.cross, $0.first, $0.second] })
        // A cross pair is listed only where it closes a cycle: elsewhere no strategy uses it.
        var crossSources: [String: Set<SourceId>] = [:]
        for cycle in cycles { crossSources[cycle.cross, default: []].insert(cycle.source) }
        var names: [String] = []
        var unpaired: [String] = []
        for (name, listings) in listingsBySymbol {
            let sources = Set(listings.map(\.source))
            let paired = Self.isUSDT(listings[0]) && directionKinds.contains { kind in !Self.pairs(kind, sources).isEmpty }
            if paired || inCycles.contains(name) { names.append(name) } else { unpaired.append(name) }
        }
        names.sort()
        unpaired.sort()

        var symbols: [SymbolInfo] = []
        var instruments: [Instrument] = []
        var directions: [Direction] = []
        var counts: [DirectionKind: Int] = [:]
        for (index, name) in names.enumerated() {
            let listings = listingsBySymbol[name]!.sorted { $0.source < $1.source }.filter { listing in
                Self.isUSDT(listing) || crossSources[name]?.contains(listing.source) == true
            }
            let id = SymbolId(index)
            symbols.append(SymbolInfo(id: id, base: listings[0].base, quote: listings[0].quote))
            for listing in listings {
                instruments.append(
                    Instrument(
                        symbol: id, source: listing.source, exchangeSymbol: listing.exchangeSymbol, tickSize: Price(listing.tickSize),
                        stepSize: Quantity(listing.stepSize), minQuantity: Quantity(listing.minQuantity), minNotional: listing.minNotional,
                        contractSize: listing.contractSize))
            }
            let sources = Set(listings.map(\.source))
            guard Self.isUSDT(listings[0]) else { continue }
            for kind in DirectionKind.allCases where directionKinds.contains(kind) {
                for (buy, sell) in Self.pairs(kind, sources) {
                    directions.append(Direction(kind: kind, symbol: id, buy: buy, sell: sell))
                    counts[kind, default: 0] += 1
                }
            }
        }
        let universe = try Universe(symbols: symbols, instruments: instruments, directions: directions)
        return Result(universe: universe, unpaired: unpaired, directionCounts: counts, cycleCount: cycles.count)
    }

    static func isUSDT(_ listing: InstrumentListing) -> Bool { listing.quote == InstrumentListParser.quote }

    /// A cycle's symbol names: `cross` B-A with `first` A-USDT and `second` B-USDT on one source.
    struct CycleNames: Hashable {
        var source: SourceId
        var cross: String
        var first: String
        var second: String
    }

    /// Every (spot source, cross pair) whose two USDT legs the same source lists.
    static func cycles(_ lists: [SourceId: [InstrumentListing]]) -> [CycleNames] {
        var result: [CycleNames] = []
        for (source, listings) in lists where source.market == .spot {
            let names = Set(listings.map(\.symbolName))
            for listing in listings where !isUSDT(listing) {
                let first = "\(listing.quote)-\(InstrumentListParser.quote)"
                let second = "\(listing.base)-\(InstrumentListParser.quote)"
                if names.contains(first), names.contains(second) {
                    result.append(CycleNames(source: source, cross: listing.symbolName, first: first, second: second))
                }
            }
        }
        return result
    }

    /// Ordered (buy, sell) source pairs of a kind among `sources`, in source order:
    /// spot→spot across exchanges; spot→perp across and within exchanges; perp→perp across.
    static func pairs(_ kind: DirectionKind, _ sources: Set<SourceId>) -> [(SourceId, SourceId)] {
        let legs = kind.legs
        var result: [(SourceId, SourceId)] = []
        for buy in sources.sorted() where buy.market == legs.buy {
            for sell in sources.sorted() where sell.market == legs.sell && sell != buy {
                if kind != .spotPerp && buy.exchange == sell.exchange { continue }
                result.append((buy, sell))
            }
        }
        return result
    }
}
