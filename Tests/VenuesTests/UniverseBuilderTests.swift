import Discovery
import DraizerCore
import TestSupport
import Testing
import Venues

@Suite struct UniverseBuilderTests {
    static func listing(_ source: SourceId, _ base: String, _ quote: String) -> InstrumentListing {
        InstrumentListing(
            source: source, exchangeSymbol: "\(base)\(quote)", base: base, quote: quote, tickSize: "0.01", stepSize: "0.001",
            minQuantity: "0.001", minNotional: .zero, contractSize: ExactDecimal(1))
    }

    static let binance = SourceId(exchange: .binance, market: .spot)
    static let bybit = SourceId(exchange: .bybit, market: .spot)
    static let okx = SourceId(exchange: .okx, market: .spot)

    @Test func crossPairsAreKeptOnlyWhereTheyCloseACycle() throws {
        let lists: [SourceId: [InstrumentListing]] = [
            Self.binance: [
                Self.listing(Self.binance, "BTC", "USDT"), Self.listing(Self.binance, "ETH", "USDT"),
                Self.listing(Self.binance, "ETH", "BTC"), Self.listing(Self.binance, "XYZ", "USDT"), Self.listing(Self.binance, "XYZ", "BTC"),
            ],
            // OKX lists SOL-BTC, but SOL-USDT only on Bybit: no cycle, so SOL-BTC is left out.
            Self.okx: [Self.listing(Self.okx, "BTC", "USDT"), Self.listing(Self.okx, "ETH", "USDT"), Self.listing(Self.okx, "SOL", "BTC")],
            // Bybit lists ETH-BTC without ETH-USDT: that listing closes no cycle and is left out.
            Self.bybit: [Self.listing(Self.bybit, "SOL", "USDT"), Self.listing(Self.bybit, "BTC", "USDT"), Self.listing(Self.bybit, "ETH", "BTC")],
        ]
        let built = try UniverseBuilder().build(lists)
        let names = built.universe.symbols.map(\.name)
        // XYZ-USDT is on one venue only, yet kept: it is a leg of binance's XYZ-USDT/BTC-USDT/XYZ-BTC.
        #expect(names == ["BTC-USDT", "ETH-BTC", "ETH-USDT", "XYZ-BTC", "XYZ-USDT"])
        #expect(built.cycleCount == 2)
        #expect(built.unpaired == ["SOL-BTC", "SOL-USDT"])
        // Directions only between USDT pairs on two venues; none for cross pairs or one-venue legs.
        let ethBTC = try #require(built.universe.symbolId(named: "ETH-BTC"))
        let xyz = try #require(built.universe.symbolId(named: "XYZ-USDT"))
        #expect(built.universe.directions.allSatisfy { $0.symbol != ethBTC && $0.symbol != xyz })
        #expect(built.universe.directions.contains { built.universe.symbols[$0.symbol.index].name == "ETH-USDT" })
        #expect(built.universe.symbol(ethBTC)?.quote == "BTC")
        #expect(built.universe.instruments.filter { $0.symbol == ethBTC }.map(\.source) == [Self.binance])

        let noCycles = try UniverseBuilder(triangularCycles: false).build(lists)
        #expect(noCycles.universe.symbols.map(\.name) == ["BTC-USDT", "ETH-USDT"])
        #expect(noCycles.cycleCount == 0)
    }

    /// The ten recorded instrument lists: every cross pair kept closes a cycle on some source.
    @Test func recordedListsGiveCyclesOnEverySpotVenueThatHasCrosses() throws {
        var lists: [SourceId: [InstrumentListing]] = [:]
        for (source, path) in InstrumentDiscoveryTests.files {
            lists[source] = try InstrumentListParser.parse(source: source, body: Fixtures.bytes(path)).listings
        }
        let built = try UniverseBuilder().build(lists)
        let universe = built.universe
        let ethBTC = try #require(universe.symbolId(named: "ETH-BTC"))
        for source in [Self.binance, Self.okx, Self.bybit, SourceId(exchange: .gateio, market: .spot)] {
            #expect(universe.instrument(symbol: ethBTC, source: source) != nil, "ETH-BTC on \(source)")
        }
        // Counted independently: each spot source's cross pairs whose base and quote both have a
        // USDT pair on that source.
        var expected = 0
        for (source, listings) in lists where source.market == .spot {
            let names = Set(listings.map(\.symbolName))
            expected += listings.filter { $0.quote != "USDT" && names.contains("\($0.base)-USDT") && names.contains("\($0.quote)-USDT") }.count
        }
        #expect(built.cycleCount == expected && expected > 100)
        // Every cross listing kept closes a cycle on its source; together they are the cycles.
        var crossListings = 0
        for symbol in universe.symbols where symbol.quote != "USDT" {
            for instrument in universe.instruments where instrument.symbol == symbol.id {
                crossListings += 1
                let legs = ["\(symbol.base)-USDT", "\(symbol.quote)-USDT"].filter { name in
                    universe.symbolId(named: name).flatMap { universe.instrument(symbol: $0, source: instrument.source) } != nil
                }
                #expect(legs.count == 2, "\(symbol.name) on \(instrument.source) closes no cycle")
            }
        }
        #expect(crossListings == built.cycleCount)
        print("recorded lists: \(universe.symbols.count) symbols, \(built.cycleCount) triangular cycles")
    }
}
