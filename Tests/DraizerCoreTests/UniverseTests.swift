import DraizerCore
import Foundation
import Testing

@Suite struct UniverseTests {
    static let valid = """
        {
          "version": 1,
          "symbols": [
            {"id": 0, "base": "BTC", "quote": "USDT"},
            {"id": 1, "base": "ETH", "quote": "USDT"}
          ],
          "instruments": [
            {"symbol": "BTC-USDT", "source": "binance/spot", "exchangeSymbol": "BTCUSDT", "tickSize": "0.01",
             "stepSize": "0.00001", "minQuantity": "0.00001", "minNotional": "5", "contractSize": "1"},
            {"symbol": "BTC-USDT", "source": "okx/perp", "exchangeSymbol": "BTC-USDT-SWAP", "tickSize": "0.1",
             "stepSize": "0.01", "minQuantity": "0.01", "minNotional": "0", "contractSize": "0.01"},
            {"symbol": "ETH-USDT", "source": "gateio/spot", "exchangeSymbol": "ETH_USDT", "tickSize": "0.01",
             "stepSize": "0.0001", "minQuantity": "0.0001", "minNotional": "3", "contractSize": "1"}
          ],
          "directions": [
            {"kind": "spot_perp", "symbol": "BTC-USDT", "buy": "binance/spot", "sell": "okx/perp"}
          ]
        }
        """

    func load(_ text: String) throws(UniverseError) -> Universe {
        try Universe(json: Array(text.utf8))
    }

    @Test func loadsAndIndexes() throws {
        let universe = try load(Self.valid)
        #expect(universe.symbols.map(\.name) == ["BTC-USDT", "ETH-USDT"])
        let okx = SourceId(exchange: .okx, market: .perp)
        let btc = try #require(universe.symbolId(named: "BTC-USDT"))
        let instrument = try #require(universe.instrument(symbol: btc, source: okx))
        #expect(instrument.exchangeSymbol == "BTC-USDT-SWAP")
        #expect(instrument.contractSize == "0.01")
        #expect(universe.instrument(symbol: btc, source: SourceId(exchange: .mexc, market: .spot)) == nil)
        #expect(universe.directions.first?.sell == okx)
    }

    @Test func savesAtomicallyAndReloadsIdentically() throws {
        let universe = try load(Self.valid)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("universe-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try universe.save(path: path)
        let reloaded = try Universe.load(path: path)
        #expect(reloaded == universe)
        #expect(reloaded.jsonBytes() == universe.jsonBytes())
        #expect(!FileManager.default.fileExists(atPath: "\(path).tmp.\(getpid())"))
    }

    @Test func brokenFileNamesTheFileAndThePlace() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-universe-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("[]".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: UniverseError.inFile(file: path, .malformed(path: "$", detail: "expected Dictionary<String, Any>, was another type"))) {
            try Universe.load(path: path)
        }
        #expect(
            UniverseError.inFile(file: path, .invalid(path: "symbols[0].base", expected: "1-16 characters", was: "\"\"")).description
                == "universe file \(path): symbols[0].base: expected 1-16 characters, was \"\"")
    }

    @Test func missingFileNamesThePath() {
        #expect(throws: UniverseError.self) { try Universe.load(path: "/nonexistent/universe.json") }
        do {
            _ = try Universe.load(path: "/nonexistent/universe.json")
        } catch {
            #expect(error.description.contains("/nonexistent/universe.json"))
        }
    }

    /// Each bad file gets an error naming the exact place and what was expected.
    @Test(arguments: [
        (#""version": 1"#, #""version": 2"#, "universe version: expected 1, was 2"),
        (#"{"id": 1, "base": "ETH""#, #"{"id": 5, "base": "ETH""#,
         "universe symbols[1].id: expected 1 (ids dense and in order), was 5"),
        (#""base": "ETH""#, #""base": "eth""#,
         #"universe symbols[1].base: expected an upper-case asset code (A-Z, 0-9), was "eth""#),
        (#""base": "ETH""#, #""base": "BTC""#,
         #"universe symbols[1].name: expected a unique symbol name, was duplicate "BTC-USDT""#),
        (#""base": "ETH""#, #""base": "AAA""#,
         #"universe symbols[1].name: expected names sorted ascending after "BTC-USDT", was "AAA-USDT""#),
        (#""source": "okx/perp""#, #""source": "okx/futures""#,
         #"universe instruments[1].source: expected exchange/market such as binance/spot, was "okx/futures""#),
        (#""symbol": "ETH-USDT", "source""#, #""symbol": "SOL-USDT", "source""#,
         #"universe instruments[2].symbol: expected a symbol listed in symbols, was "SOL-USDT""#),
        (#""tickSize": "0.1""#, #""tickSize": "0""#, "universe instruments[1].tickSize: expected a positive decimal, was 0"),
        (#""tickSize": "0.1""#, #""tickSize": "abc""#,
         #"universe instruments[1].tickSize: expected a decimal string (expected a digit, '.', '-' or exponent, was another byte at offset 0), was "abc""#),
        (#""stepSize": "0.01""#, #""stepSize": "NaN""#,
         #"universe instruments[1].stepSize: expected a decimal string (expected a finite decimal number, was NaN or infinity), was "NaN""#),
        (#""minNotional": "3""#, #""minNotional": "-3""#, "universe instruments[2].minNotional: expected zero or a positive decimal, was -3"),
        (#""exchangeSymbol": "ETH_USDT""#, #""exchangeSymbol": """#,
         "universe instruments[2].exchangeSymbol: expected the exchange's symbol name, was empty"),
        (#""symbol": "ETH-USDT", "source": "gateio/spot""#, #""symbol": "BTC-USDT", "source": "binance/spot""#,
         "universe instruments[2]: expected one instrument per (symbol, source), was a second BTC-USDT on binance/spot"),
        (#""kind": "spot_perp""#, #""kind": "spot_future""#,
         #"universe directions[0].kind: expected one of spot_spot, spot_perp, perp_perp, was "spot_future""#),
        (#""sell": "okx/perp""#, #""sell": "binance/spot""#,
         "universe directions[0]: expected different buy and sell sources, was binance/spot on both legs"),
        (#""kind": "spot_perp""#, #""kind": "perp_perp""#,
         "universe directions[0].buy: expected a perp source for perp_perp, was binance/spot"),
        (#""sell": "okx/perp""#, #""sell": "bybit/perp""#,
         "universe directions[0].sell: expected a source listing BTC-USDT, was bybit/perp, which has no such instrument"),
        (#""version": 1,"#, "",
         #"universe $: malformed: expected key "version", was missing"#),
        (#""minNotional": "5""#, #""minNotional": 5"#,
         "universe $.instruments[0].minNotional: malformed: expected String, was another type"),
        (#""directions": ["#, #""directions": [,"#, "malformed: expected valid JSON"),
    ])
    func rejectsBadFilesPrecisely(original: String, replacement: String, expected: String) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement, options: [], range: nil)
        #expect(text != Self.valid, "the test's replacement must change the file")
        do {
            _ = try load(text)
            Issue.record("expected \(expected)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
