import DraizerCore
import Foundation
import ServiceKit
import TestSupport
import Testing

/// `draizer discover` against a real venue-sim process over real sockets.
@Suite struct DiscoverCommandTests {
    func discover(_ sim: VenueSimProcess, out: String, extra: [String] = []) throws -> (status: Int32, lines: [String]) {
        let child = try ChildProcess(
            executable: builtBinary("draizer"), arguments: ["discover", "--sim-url", sim.baseURL, "--out", out] + extra, output: .pipe)
        let lines = child.readAll(timeoutMillis: 60_000)
        return (child.wait(), lines)
    }

    func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("discover-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    @Test(.timeLimit(.minutes(1))) func sameInputSameUniverse() throws {
        let sim = try VenueSimProcess()
        let first = temporaryDirectory()
        let second = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        #expect(try discover(sim, out: first, extra: ["--validate"]).status == 0)
        #expect(try discover(sim, out: second).status == 0)
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(first)/universe.json"))
        let b = try Data(contentsOf: URL(fileURLWithPath: "\(second)/universe.json"))
        #expect(a == b, "same input, same ids")
        let universe = try Universe.load(path: "\(first)/universe.json")
        #expect(universe.symbols.map(\.name) == ["BTC-USDT", "DOGE-USDT", "ETH-BTC", "ETH-USDT", "SOL-USDT"])
        // ETH-BTC on the five spot venues: one triangular cycle each, no directions of its own.
        #expect(universe.instruments.count == 45)
        #expect(universe.directions.count == 180)
        let ethBTC = try #require(universe.symbolId(named: "ETH-BTC"))
        #expect(universe.instrument(symbol: ethBTC, source: SourceId(exchange: .gateio, market: .spot))?.exchangeSymbol == "ETH_BTC")
        #expect(universe.instrument(symbol: ethBTC, source: SourceId(exchange: .binance, market: .spot))?.minNotional == "0.0001")
        let report = try String(contentsOfFile: "\(first)/report.txt", encoding: .utf8)
        #expect(report.contains("triangular cycles (cross pairs with both USDT legs on one spot source): 5"), "\(report)")
        let btc = try #require(universe.symbolId(named: "BTC-USDT"))
        #expect(universe.instrument(symbol: btc, source: SourceId(exchange: .okx, market: .perp))?.exchangeSymbol == "BTC-USDT-SWAP")
        #expect(universe.instrument(symbol: btc, source: SourceId(exchange: .gateio, market: .perp))?.contractSize == "0.00001", "one contract is one BTC step")
        for file in ["report.txt", "metadata.json", "sources/binance-spot.json", "sources/mexc-perp.json"] {
            #expect(FileManager.default.fileExists(atPath: "\(first)/\(file)"), "\(file)")
        }
    }

    static func downScenario(_ sources: [String]) -> String {
        let faults = sources.map { #"{"atSeconds":0,"source":"\#($0)","kind":"rest_error","status":503,"durationSeconds":3600}"# }
        return #"{"faults":[\#(faults.joined(separator: ","))]}"#
    }

    @Test(.timeLimit(.minutes(1))) func fourSourcesDownStillSucceeds() throws {
        let sim = try VenueSimProcess(scenario: Self.downScenario(["binance/spot", "bybit/perp", "okx/spot", "mexc/perp"]))
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try discover(sim, out: out)
        #expect(result.status == 0)
        #expect(result.lines.first?.contains("from 6/10 sources") == true, "\(result.lines)")
        #expect(result.lines.contains { $0.contains("binance/spot failed") && $0.contains("503") })
        let report = try String(contentsOfFile: "\(out)/report.txt", encoding: .utf8)
        #expect(report.contains("okx/spot") && report.contains("failed"))
    }

    @Test(.timeLimit(.minutes(1))) func fiveSourcesDownFailsClearly() throws {
        let sim = try VenueSimProcess(scenario: Self.downScenario(["binance/spot", "bybit/perp", "okx/spot", "mexc/perp", "gateio/spot"]))
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let child = try ChildProcess(
            executable: builtBinary("draizer"), arguments: ["discover", "--sim-url", sim.baseURL, "--out", out], output: .discard)
        #expect(child.wait() == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(out)/universe.json"), "nothing written on failure")
    }

    /// Settings it cannot use are refused before the first request: nothing is written (a bad
    /// database URL used to be found after `generated/` was written). `--sources ,` used to crash
    /// (a range 1...0), and a source listed twice was asked twice.
    @Test(.timeLimit(.minutes(1))) func badSettingsAreRefusedBeforeAnyRequest() throws {
        let sim = try VenueSimProcess()
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let refusals: [[String]] = [
            ["--sources", ","], ["--sources", "binance/spot,binance/spot"], ["--directions", ","],
            ["--validate", "--validate-timeout-millis", "0"], ["--database-url", "bogus://x"], ["--min-sources", "0"],
        ]
        for arguments in refusals {
            let child = try ChildProcess(
                executable: builtBinary("draizer"), arguments: ["discover", "--sim-url", sim.baseURL, "--out", out] + arguments,
                output: .discard)
            #expect(child.wait() == 1, "\(arguments)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments)")
        }
    }
}
