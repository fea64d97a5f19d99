import DraizerCore
import Venues

/// Turns the instrument lists of the sources that answered into a `Universe`: global symbols
/// (sorted by name, so the same lists always give the same `SymbolId`s), one instrument per
/// (symbol, source) and the directions of the enabled kinds. Symbols no direction can use are
/// left out and reported. Pure: lists in, universe and report out.
public struct UniverseBuilder: Sendable {
    public var directionKinds: Set<DirectionKind>

    public init(directionKinds: Set<DirectionKind> = [.spotSpot, .spotPerp]) {
        self.directionKinds = directionKinds
    }

    public struct Result: Sendable {
        public var universe: Universe
        /// Symbols seen on a single source only (or on no pair of sources a direction needs).
        public var unpaired: [String]
        public var directionCounts: [DirectionKind: Int]
    }

    public func build(_ lists: [SourceId: [InstrumentListing]]) throws(UniverseError) -> Result {
        var listingsBySymbol: [String: [InstrumentListing]] = [:]
        for (_, listings) in lists {
            for listing in listings { listingsBySymbol[listing.symbolName, default: []].append(listing) }
        }
        var names: [String] = []
        var unpaired: [String] = []
        for (name, listings) in listingsBySymbol {
            let sources = Set(listings.map(\.source))
            let usable = directionKinds.contains { kind in !Self.pairs(kind, sources).isEmpty }
            if usable { names.append(name) } else { unpaired.append(name) }
        }
        names.sort()
        unpaired.sort()

        var symbols: [SymbolInfo] = []
        var instruments: [Instrument] = []
        var directions: [Direction] = []
        var counts: [DirectionKind: Int] = [:]
        for (index, name) in names.enumerated() {
            let listings = listingsBySymbol[name]!.sorted { $0.source < $1.source }
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
            for kind in DirectionKind.allCases where directionKinds.contains(kind) {
                for (buy, sell) in Self.pairs(kind, sources) {
                    directions.append(Direction(kind: kind, symbol: id, buy: buy, sell: sell))
                    counts[kind, default: 0] += 1
                }
            }
        }
        let universe = try Universe(symbols: symbols, instruments: instruments, directions: directions)
        return Result(universe: universe, unpaired: unpaired, directionCounts: counts)
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
