import DraizerCore
import Foundation
import TestSupport
import Testing
import Venues

@Suite struct InstrumentDiscoveryTests {
    static let files: [(SourceId, String)] = [
        (SourceId(exchange: .binance, market: .spot), "binance/rest/spot-instruments.json"),
        (SourceId(exchange: .binance, market: .perp), "binance/rest/perp-instruments.json"),
        (SourceId(exchange: .bybit, market: .spot), "bybit/rest/spot-instruments.json"),
        (SourceId(exchange: .bybit, market: .perp), "bybit/rest/perp-instruments.json"),
        (SourceId(exchange: .okx, market: .spot), "okx/rest/spot-instruments.json"),
        (SourceId(exchange: .okx, market: .perp), "okx/rest/perp-instruments.json"),
        (SourceId(exchange: .gateio, market: .spot), "gateio/rest/spot-instruments.json"),
        (SourceId(exchange: .gateio, market: .perp), "gateio/rest/perp-instruments.json"),
        (SourceId(exchange: .mexc, market: .spot), "mexc/rest/recorded-spot-instruments.json"),
        (SourceId(exchange: .mexc, market: .perp), "mexc/rest/recorded-perp-instruments.json"),
    ]

    static func list(_ source: SourceId) throws -> InstrumentList {
        let path = files.first { $0.0 == source }!.1
        return try InstrumentListParser.parse(source: source, body: Fixtures.bytes(path))
    }

    @Test func countsPerSource() throws {
        var counts: [String: Int] = [:]
        var crossCounts: [String: Int] = [:]
        for (source, path) in Self.files {
            let list = try InstrumentListParser.parse(source: source, body: Fixtures.bytes(path))
            counts[source.name] = list.listings.filter { $0.quote == "USDT" }.count
            crossCounts[source.name] = list.listings.filter { $0.quote != "USDT" }.count
            #expect(list.listings.allSatisfy { $0.tickSize.isPositive && $0.stepSize.isPositive })
            let quotes = Set(list.listings.map(\.quote))
            #expect(quotes.isSubset(of: source.market == .spot ? ["USDT", "BTC", "ETH"] : ["USDT"]), "\(source) quotes \(quotes)")
            #expect(Set(list.listings.map(\.exchangeSymbol)).count == list.listings.count, "\(source) symbols unique")
        }
        print("discovery counts: \(counts.sorted { $0.key < $1.key }), cross pairs: \(crossCounts.sorted { $0.key < $1.key })")
        #expect(counts == Self.expectedCounts)
        #expect(crossCounts == Self.expectedCrossCounts)
    }

    /// Trading BTC- and ETH-quoted spot pairs per source (the triangular cycles' cross legs),
    /// derived the same independent way.
    static let expectedCrossCounts: [String: Int] = [
        "binance/spot": 378, "binance/perp": 0, "bybit/spot": 8, "bybit/perp": 0, "okx/spot": 144, "okx/perp": 0,
        "gateio/spot": 595, "gateio/perp": 0, "mexc/spot": 0, "mexc/perp": 0,
    ]

    @Test func crossPairsKeepTheirQuoteAndVenueRules() throws {
        let binanceSpot = try Self.list(SourceId(exchange: .binance, market: .spot))
        let ethBTC = try #require(binanceSpot.listings.first { $0.exchangeSymbol == "ETHBTC" })
        #expect(ethBTC.symbolName == "ETH-BTC")
        #expect(ethBTC.tickSize == "0.000001" && ethBTC.stepSize == "0.0001" && ethBTC.minNotional == "0.0001", "min notional in BTC")
        // Other quote currencies (BNB, fiat) stay out with the reason.
        #expect(binanceSpot.listings.contains { $0.exchangeSymbol == "BNBBTC" })
        #expect(binanceSpot.excluded.contains { $0.reason == "quote BNB" })
        let okxSpot = try Self.list(SourceId(exchange: .okx, market: .spot))
        #expect(okxSpot.listings.first { $0.exchangeSymbol == "ETH-BTC" }?.symbolName == "ETH-BTC")
        // No cross perpetuals: a BTC-margined or coin-quoted contract is not a USDT perpetual.
        let binancePerp = try Self.list(SourceId(exchange: .binance, market: .perp))
        #expect(binancePerp.listings.allSatisfy { $0.quote == "USDT" })
    }

    /// Trading USDT instruments per source, derived independently from the recorded lists (a
    /// separate script applying the same rules to the JSON).
    static let expectedCounts: [String: Int] = [
        "binance/spot": 275, "binance/perp": 117, "bybit/spot": 410, "bybit/perp": 692, "okx/spot": 350, "okx/perp": 126,
        "gateio/spot": 808, "gateio/perp": 301, "mexc/spot": 5, "mexc/perp": 5,
    ]

    @Test func trickyCases() throws {
        // Prefixed names are kept as the venue names them, on both markets of a venue.
        let bybitPerp = try Self.list(SourceId(exchange: .bybit, market: .perp))
        let pepe = try #require(bybitPerp.listings.first { $0.exchangeSymbol == "1000PEPEUSDT" })
        #expect(pepe.symbolName == "1000PEPE-USDT")
        #expect(pepe.fundingIntervalMillis != nil)
        let bybitSpot = try Self.list(SourceId(exchange: .bybit, market: .spot))
        #expect(bybitSpot.listings.contains { $0.exchangeSymbol == "PEPEUSDT" && $0.symbolName == "PEPE-USDT" })
        // USDC perpetuals (…PERP) and dated futures are not USDT perpetuals.
        #expect(bybitPerp.excluded.contains { $0.exchangeSymbol == "1000PEPEPERP" })
        #expect(bybitPerp.listings.allSatisfy { !$0.exchangeSymbol.contains("-") })

        // OKX: BTC-USDT-SWAP → BTC-USDT in contracts of 0.01 BTC; inverse swaps excluded.
        let okxPerp = try Self.list(SourceId(exchange: .okx, market: .perp))
        let swap = try #require(okxPerp.listings.first { $0.exchangeSymbol == "BTC-USDT-SWAP" })
        #expect(swap.symbolName == "BTC-USDT")
        #expect(swap.contractSize == "0.01")
        #expect(okxPerp.excluded.contains { $0.exchangeSymbol == "BTC-USD-SWAP" && $0.reason.contains("inverse") })
        #expect(okxPerp.excluded.count == 40)

        // Halted (Binance BREAK) and delisting (Gate) instruments are excluded with their reason.
        let binanceSpot = try Self.list(SourceId(exchange: .binance, market: .spot))
        #expect(binanceSpot.excluded.filter { $0.reason == "status BREAK" }.count > 0)
        let binancePerp = try Self.list(SourceId(exchange: .binance, market: .perp))
        #expect(binancePerp.excluded.contains { $0.exchangeSymbol == "BTCSTUSDT" && $0.reason == "status PENDING_TRADING" })
        let gatePerp = try Self.list(SourceId(exchange: .gateio, market: .perp))
        #expect(gatePerp.excluded.contains { $0.exchangeSymbol == "COCOS_USDT" && $0.reason == "in delisting" })
        let gateSpot = try Self.list(SourceId(exchange: .gateio, market: .spot))
        #expect(gateSpot.excluded.contains { $0.reason.hasPrefix("trade status untradable") })

        // Exact trading rules from each venue's own fields.
        let binanceBTC = try #require(binanceSpot.listings.first { $0.exchangeSymbol == "BTCUSDT" })
        #expect(binanceBTC.tickSize == "0.01" && binanceBTC.stepSize == "0.00001" && binanceBTC.minNotional == "10")
        let gateBTC = try #require(gatePerp.listings.first { $0.exchangeSymbol == "BTC_USDT" })
        #expect(gateBTC.contractSize == "0.0001" && gateBTC.fundingIntervalMillis == 28_800_000)
        let mexcPerp = try Self.list(SourceId(exchange: .mexc, market: .perp))
        let mexcBTC = try #require(mexcPerp.listings.first { $0.exchangeSymbol == "BTC_USDT" })
        #expect(mexcBTC.contractSize == "0.0001" && mexcBTC.tickSize == "0.1", "JSON numbers read exactly")
        let mexcSpot = try Self.list(SourceId(exchange: .mexc, market: .spot))
        #expect(mexcSpot.listings.first { $0.exchangeSymbol == "PYTHUSDT" }?.stepSize == "0.01", "size step from the asset's decimals")
        #expect(mexcSpot.excluded.contains { $0.exchangeSymbol == "BTCUSDT" && $0.reason == "spot trading not allowed" })
    }

    @Test func errorBodiesAndGarbageAreClear() {
        let source = SourceId(exchange: .bybit, market: .spot)
        #expect(throws: InstrumentListError.venueError(source: "bybit/spot", detail: "retCode 10001 params error")) {
            try InstrumentListParser.parse(source: source, body: Array(#"{"retCode":10001,"retMsg":"params error"}"#.utf8))
        }
        #expect(throws: InstrumentListError.self) {
            try InstrumentListParser.parse(source: SourceId(exchange: .okx, market: .spot), body: Array("<html>".utf8))
        }
    }
}
