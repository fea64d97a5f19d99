import DraizerCore
import FastPath
import Foundation
import NIOPosix
import ServiceKit
import Strategies
import TestSupport
import Testing
import VenueTransport

/// venue-sim, three gateways and the opportunity detector as real processes over real sockets;
/// this test is the executor (it consumes the opportunities ring) and reads the track files.
@Suite(.serialized) struct DetectorProcessTests {
    static let binanceSpot = SourceId(exchange: .binance, market: .spot)
    static let okxSpot = SourceId(exchange: .okx, market: .spot)
    static let gatePerp = SourceId(exchange: .gateio, market: .perp)

    /// Still markets (no random walk) so each venue's book is known; dislocations at t = 8 s:
    /// BTC on gateio/perp +60 bps for good (accuracy, expiry), ETH +60 bps decaying over 4 s
    /// (convergence), SOL +5 bps on binance/spot (below threshold), DOGE +60 bps on gateio/perp
    /// at t = 12 s while the binance gateway is frozen from t = 9 s (a leg 3 s old: stale).
    static let scenario = """
        {"seed": 7, "updatesPerSecond": 100, "depthLevels": 10,
         "symbols": [{"base": "BTC", "price": "65000", "volatilityBps": 0, "tick": "0.1", "step": "0.001"},
                     {"base": "DOGE", "price": "0.15", "volatilityBps": 0, "tick": "0.00001", "step": "1"},
                     {"base": "ETH", "price": "3200", "volatilityBps": 0, "tick": "0.01", "step": "0.001"},
                     {"base": "SOL", "price": "150", "volatilityBps": 0, "tick": "0.01", "step": "0.01"}],
         "dislocations": [
           {"atSeconds": 8, "symbol": "BTC-USDT", "source": "gateio/perp", "bps": 60, "decaySeconds": 0, "side": "bid"},
           {"atSeconds": 8, "symbol": "ETH-USDT", "source": "gateio/perp", "bps": 60, "decaySeconds": 4, "side": "bid"},
           {"atSeconds": 8, "symbol": "SOL-USDT", "source": "binance/spot", "bps": 5, "decaySeconds": 0, "side": "bid"},
           {"atSeconds": 12, "symbol": "DOGE-USDT", "source": "gateio/perp", "bps": 60, "decaySeconds": 0, "side": "bid"}]}
        """

    static let config = #"{"entryBps": 10, "exitBps": 2, "maxPriceAgeMillis": 1000, "trackMaxSeconds": 5, "trackIntervalMillis": 100, "cooldownMillis": 500}"#

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A temporary folder, the universe `draizer discover` writes from venue-sim, and a fresh price
    /// store and control block under a prefix of their own; all removed when released.
    final class Workspace {
        let prefix: String
        let directory: String
        let names: SegmentNames
        let universe: Universe
        let store: PriceStore
        let simURL: String

        init(sim: VenueSimProcess, stem: String) throws {
            simURL = sim.baseURL
            prefix = "\(stem)\(getpid())\(UInt16.random(in: 0...UInt16.max))"
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let discover = try ChildProcess(
                executable: builtBinary("draizer"), arguments: ["discover", "--sim-url", sim.baseURL, "--out", directory], output: .discard)
            guard discover.wait() == 0 else { throw Failure(description: "draizer discover failed") }
            universe = try Universe.load(path: "\(directory)/universe.json")
            names = try SegmentNames(prefix: prefix)
            store = try PriceStore.create(names: names, symbolCapacity: 16)
            _ = try ControlSegment.create(names: names)
        }

        /// `exchange`'s gateway on this workspace's universe and shared memory; Redis at
        /// `redisURL`, or none.
        func gateway(_ exchange: Exchange, redisURL: String? = nil) throws -> ChildProcess {
            try ChildProcess(
                executable: builtBinary("market-gateway"),
                arguments: [
                    "--exchange", exchange.name, "--universe", "\(directory)/universe.json", "--sim-url", simURL, "--shm-prefix", prefix,
                    "--control-socket", "/tmp/\(prefix)-\(exchange.name).sock",
                ] + (redisURL.map { ["--redis-url", $0] } ?? ["--no-redis"]),
                output: .discard)
        }

        /// The detector with `detector.json` of this workspace; its control socket is `detectorSocket`.
        func detector(redisURL: String? = nil, output: ChildProcess.Output = .discard) throws -> ChildProcess {
            try ChildProcess(
                executable: builtBinary("opportunity-detector"),
                arguments: [
                    "--universe", "\(directory)/universe.json", "--config", "\(directory)/detector.json", "--shm-prefix", prefix,
                    "--tracks-dir", "\(directory)/tracks", "--control-socket", detectorSocket,
                ] + (redisURL.map { ["--redis-url", $0] } ?? ["--no-redis"]),
                output: output)
        }

        var detectorSocket: String { "/tmp/\(prefix)-detector.sock" }

        deinit {
            try? FileManager.default.removeItem(atPath: directory)
            for name in names.existing() { try? SharedMemorySegment.unlink(name: name) }
        }
    }

    static func simStatus(_ sim: VenueSimProcess, group: MultiThreadedEventLoopGroup) throws -> [String: Any] {
        let body = try HTTPFetcher.get(try TransportURL("\(sim.baseURL)/sim/status"), group: group).wait()
        return try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
    }

    /// When venue-sim's scenario clock started (its `elapsed_seconds` back from now), for
    /// timing the dislocations it injects.
    static func simStart(_ sim: VenueSimProcess, group: MultiThreadedEventLoopGroup) throws -> Date {
        Date().addingTimeInterval(-((try simStatus(sim, group: group)["elapsed_seconds"] as? Double) ?? 0))
    }

    static func bestPrice(_ sim: VenueSimProcess, _ path: String, side: String, group: MultiThreadedEventLoopGroup) throws -> Double {
        let body = try HTTPFetcher.get(try TransportURL(sim.baseURL + path), group: group).wait()
        let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
        if let levels = json[side] as? [[Any]], let price = levels.first?.first as? String { return Double(price) ?? .nan }
        if let levels = json[side] as? [[String: Any]], let price = levels.first?["p"] as? String { return Double(price) ?? .nan }
        throw Failure(description: "\(path): no \(side)")
    }

    @Test(.timeLimit(.minutes(2))) func dislocationsAreEmittedSizedTrackedAndRecovered() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let sim = try VenueSimProcess(scenario: Self.scenario)
        let simStart = try Self.simStart(sim, group: group)
        func simTime() -> Double { Date().timeIntervalSince(simStart) }

        let workspace = try Workspace(sim: sim, stem: "dpt")
        let (prefix, directory, names, universe, store) = (workspace.prefix, workspace.directory, workspace.names, workspace.universe, workspace.store)
        try Self.config.write(toFile: "\(directory)/detector.json", atomically: true, encoding: .utf8)

        var gateways: [Exchange: ChildProcess] = [:]
        for exchange in [Exchange.binance, .okx, .gateio] { gateways[exchange] = try workspace.gateway(exchange) }
        defer {
            for gateway in gateways.values {
                gateway.signal(SIGCONT)
                _ = gateway.terminate(graceMillis: 2000)
            }
        }
        func detector() throws -> ChildProcess { try workspace.detector(output: .pipe) }
        var running = try detector()
        defer { _ = running.terminate(graceMillis: 2000) }

        // The test is the executor: it consumes the opportunities ring.
        var consumer: RingConsumer<OpportunityRecord>?
        let attachBy = Date().addingTimeInterval(30)
        while consumer == nil, Date() < attachBy {
            consumer = try? RingConsumer<OpportunityRecord>(name: names.ring("opportunities"))
            if consumer == nil { usleep(20_000) }
        }
        if consumer == nil {
            // Say why: is the detector alive, what did it print, what is under the prefix?
            let output = running.readAll(timeoutMillis: 500).joined(separator: " | ")
            let segments = (try? SegmentNames(prefix: prefix).existing()) ?? []
            Issue.record("no opportunities ring: detector running \(running.isRunning), output \(output), segments \(segments)")
        }
        let ring = try #require(consumer, "the detector creates the opportunities ring")

        // Every book of the three gateways verified before the first dislocation.
        var top = TopOfBook()
        let traded = universe.instruments.filter { [.binance, .okx, .gateio].contains($0.source.exchange) }
        while simTime() < 7.5 {
            let verified = traded.filter { store.readTop(slot: store.slot(symbol: $0.symbol, source: $0.source)!, into: &top) == .consistent && top.verified }
            if verified.count == traded.count { break }
            usleep(10_000)
        }
        #expect(simTime() < 7.5, "books verified before t = 8 s (at \(simTime()) s)")

        // The loop only pops, freezes and restarts: anything slower (HTTP to venue-sim) waits until
        // after it, so the freeze and the restart happen when the scenario says.
        var records: [OpportunityRecord] = []
        var frozenAt: Double?
        var restartedAt: Date?
        while simTime() < 17 {
            while let record = ring.tryPop() { records.append(record) }
            if frozenAt == nil, simTime() >= 9 {
                gateways[.binance]?.signal(SIGSTOP)  // binance prices go stale from here on
                frozenAt = simTime()
            }
            if restartedAt == nil, simTime() >= 9.5 {
                running.signal(SIGKILL)
                _ = running.wait()
                running = try detector()
                restartedAt = Date()
            }
            usleep(2_000)
        }
        let restart = try #require(restartedAt)
        let froze = try #require(frozenAt)
        #expect(froze < 10, "binance frozen at t = \(froze) s, planned 9 s: DOGE at 12 s must meet a leg over 1 s old")
        // Still books and a BTC dislocation that stays: what both venues show now is what the
        // detector saw at t = 8 s.
        let ask = try Self.bestPrice(sim, "/binance/spot/api/v3/depth?symbol=BTCUSDT", side: "asks", group: group)
        let bid = try Self.bestPrice(sim, "/gateio/perp/api/v4/futures/usdt/order_book?contract=BTC_USDT&with_id=true", side: "bids", group: group)
        let expected = (bid - ask) / ask * 10_000 - 10 - 5

        func first(_ symbol: String, buy: SourceId, sell: SourceId) -> OpportunityRecord? {
            records.first { universe.symbols[Int($0.symbol)].name == symbol && $0.buy == buy && $0.sell == sell }
        }
        let injected = simStart.addingTimeInterval(8).timeIntervalSince1970
        for buy in [Self.binanceSpot, Self.okxSpot] {
            let record = try #require(first("BTC-USDT", buy: buy, sell: Self.gatePerp), "BTC \(buy.name) → gateio/perp emitted")
            let delay = Double(record.wallNanos) / 1e9 - injected
            #expect(delay >= -0.005 && delay <= 0.050, "BTC \(buy.name): emitted \(Int(delay * 1000)) ms after injection")
            print("BTC \(buy.name) → gateio/perp: first signal \(Int(delay * 1000)) ms after injection, net \(record.netBps) bps")
            #expect(record.quantity > 0 && record.quantity * record.buyVWAP <= 10_000 + 1e-6, "sized within max notional")
            #expect(record.netBpsAtSize <= record.netBps + 1e-9 && record.expectedProfit > 0)
        }
        let btc = try #require(first("BTC-USDT", buy: Self.binanceSpot, sell: Self.gatePerp))
        #expect(abs(btc.netBps - expected) <= 1, "net \(btc.netBps) bps vs venue books \(expected) bps")
        #expect(records.allSatisfy { universe.symbols[Int($0.symbol)].name != "SOL-USDT" }, "5 bps never clears fees")
        #expect(first("DOGE-USDT", buy: Self.okxSpot, sell: Self.gatePerp) != nil, "DOGE emitted from a fresh leg")
        #expect(first("DOGE-USDT", buy: Self.binanceSpot, sell: Self.gatePerp) == nil, "never from the stale binance leg")
        #expect(records.allSatisfy { $0.decidedNanos >= $0.tickReceivedNanos && $0.netBps >= 10 })

        // The track files: every track opened before the restart closes after it, once.
        let lines = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/tracks").flatMap { file in
            try String(contentsOfFile: "\(directory)/tracks/\(file)", encoding: .utf8).split(separator: "\n").map(String.init)
        }
        func events(_ kind: String, _ symbol: String) -> [String] {
            lines.filter { $0.contains(#""event":"\#(kind)""#) && $0.contains(#""symbol":"\#(symbol)""#) }
        }
        func id(_ line: String) -> String { String(line.split(separator: ",")[1]) }
        let restartMillis = Int64(restart.timeIntervalSince1970 * 1000)
        // ETH decays: tracks with live legs converge; the one bought on frozen binance cannot be
        // read any more (stale), so it runs out its shortened max age.
        let ethCloses = events("close", "ETH-USDT")
        let frozenLeg = ethCloses.filter { $0.contains(#""buy":"binance/spot""#) }
        let liveLegs = ethCloses.filter { !$0.contains(#""buy":"binance/spot""#) }
        #expect(liveLegs.count >= 2 && liveLegs.allSatisfy { $0.contains("CONVERGED") }, "\(ethCloses)")
        #expect(frozenLeg.allSatisfy { $0.contains("EXPIRED") }, "\(frozenLeg)")
        let btcOpens = events("open", "BTC-USDT")
        let btcCloses = events("close", "BTC-USDT")
        #expect(btcCloses.count >= 2 && btcCloses.allSatisfy { $0.contains("EXPIRED") }, "\(btcCloses)")
        for open in btcOpens + events("open", "ETH-USDT") {
            let closes = lines.filter { $0.contains(#""event":"close""#) && id($0) == id(open) }
            #expect(closes.count <= 1, "closed once: \(open)")
            if let opened = Int64(open.split(separator: "\"ts_ms\":")[1].prefix { $0.isNumber }), opened < restartMillis,
                let close = closes.first, let closed = Int64(close.split(separator: "\"ts_ms\":")[1].prefix { $0.isNumber })
            {
                #expect(closed > restartMillis, "a track opened before the SIGKILL was continued and closed by the new detector")
            }
        }
        let status = try ControlSocketServer.request(path: workspace.detectorSocket, command: "status")
        #expect(status.contains(#""recovered_tracks":"#) && !status.contains(#""recovered_tracks":0"#), "\(status.prefix(400))")
    }
}
