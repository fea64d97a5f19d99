import DraizerCore
import FastPath
import Foundation
import NIOPosix
import ServiceKit
import Strategies
import TestSupport
import Testing

/// Triangular cycles end to end: venue-sim lists ETH-BTC beside BTC-USDT and ETH-USDT, the
/// gateways carry all three, and the detector closes the cycle on one exchange.
/// (Part of `DetectorProcessTests`, whose suite is serialized: these process tests never overlap.)
extension DetectorProcessTests {
    /// Still markets; at t = 8 s binance's ETH-BTC bid rises 60 bps (the cycle USDT→ETH→BTC→USDT
    /// pays about 58 bps gross, 28 net of three 10 bps fees) and okx's 20 bps (net below zero).
    static let triangularScenario = """
        {"seed": 5, "updatesPerSecond": 100, "depthLevels": 10,
         "symbols": [{"base": "BTC", "price": "65000", "volatilityBps": 0, "tick": "0.1", "step": "0.00001", "lot": "0.001"},
                     {"base": "ETH", "price": "3200", "volatilityBps": 0, "tick": "0.01", "step": "0.0001", "lot": "0.01"},
                     {"base": "ETH", "quote": "BTC", "tick": "0.000001", "step": "0.0001", "lot": "0.01"}],
         "dislocations": [
           {"atSeconds": 8, "symbol": "ETH-BTC", "source": "binance/spot", "bps": 60, "decaySeconds": 0, "side": "bid"},
           {"atSeconds": 8, "symbol": "ETH-BTC", "source": "okx/spot", "bps": 20, "decaySeconds": 0, "side": "bid"}]}
        """

    @Test(.timeLimit(.minutes(1))) func crossPairDislocationClosesATriangularCycle() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let sim = try VenueSimProcess(scenario: Self.triangularScenario)
        let simStart = try Self.simStart(sim, group: group)
        func simTime() -> Double { Date().timeIntervalSince(simStart) }
        let workspace = try Workspace(sim: sim, stem: "tri")
        let (directory, names, universe, store) = (workspace.directory, workspace.names, workspace.universe, workspace.store)
        #expect(universe.symbols.map(\.name) == ["BTC-USDT", "ETH-BTC", "ETH-USDT"])
        try #"{"entryBps": 10, "maxPriceAgeMillis": 1000, "cooldownMillis": 200}"#.write(
            toFile: "\(directory)/detector.json", atomically: true, encoding: .utf8)
        var processes: [ChildProcess] = []
        defer { processes.forEach { _ = $0.terminate(graceMillis: 2000) } }
        for exchange in [Exchange.binance, .okx] { processes.append(try workspace.gateway(exchange)) }
        var detector = try workspace.detector()
        defer { _ = detector.terminate(graceMillis: 2000) }

        var consumer: RingConsumer<OpportunityRecord>?
        var top = TopOfBook()
        let spot = universe.instruments.filter { [.binance, .okx].contains($0.source.exchange) && $0.source.market == .spot }
        while simTime() < 7.5 {
            if consumer == nil { consumer = try? RingConsumer<OpportunityRecord>(name: names.ring("opportunities")) }
            let verified = spot.filter { store.readTop(slot: store.slot(symbol: $0.symbol, source: $0.source)!, into: &top) == .consistent && top.verified }
            if consumer != nil, verified.count == spot.count { break }
            usleep(10_000)
        }
        #expect(simTime() < 7.5, "the six spot books verified before t = 8 s (at \(simTime()) s)")
        let ring = try #require(consumer, "the detector creates the opportunities ring")

        var records: [OpportunityRecord] = []
        var expectedNet: Double?
        while simTime() < 10 {
            while let record = ring.tryPop() {
                records.append(record)
                if expectedNet == nil, record.strategyKind == .triangular {
                    // Still books: binance's three books now are what the detector read. The cycle
                    // buys ETH at ETH-USDT's ask, sells it at ETH-BTC's bid, sells BTC at BTC-USDT's bid.
                    let ethAsk = try Self.bestPrice(sim, "/binance/spot/api/v3/depth?symbol=ETHUSDT", side: "asks", group: group)
                    let crossBid = try Self.bestPrice(sim, "/binance/spot/api/v3/depth?symbol=ETHBTC", side: "bids", group: group)
                    let btcBid = try Self.bestPrice(sim, "/binance/spot/api/v3/depth?symbol=BTCUSDT", side: "bids", group: group)
                    expectedNet = (crossBid * btcBid / ethAsk * 0.999 * 0.999 * 0.999 - 1) * 10_000
                }
            }
            usleep(2_000)
        }
        let cycles = records.filter { $0.strategyKind == .triangular }
        let first = try #require(cycles.first, "a triangular signal; all records: \(records.count)")
        let injected = simStart.addingTimeInterval(8).timeIntervalSince1970
        let delay = Double(first.wallNanos) / 1e9 - injected
        #expect(delay >= -0.005 && delay <= 0.050, "emitted \(Int(delay * 1000)) ms after injection")
        #expect(cycles.allSatisfy { $0.buy == SourceId(exchange: .binance, market: .spot) && $0.sell == $0.buy }, "okx's 20 bps never clears three fees")
        #expect(universe.symbols[Int(first.symbol)].name == "ETH-BTC")
        #expect(first.reserved == 0, "the reverse orientation: USDT→ETH→BTC→USDT")
        let expected = try #require(expectedNet)
        print("triangular: first signal \(Int(delay * 1000)) ms after injection (tick to decision \(first.decidedNanos - first.tickReceivedNanos) ns), net \(first.netBps) bps (venue books \(expected)), \(cycles.count) signals")
        #expect(abs(first.netBps - expected) <= 1, "net \(first.netBps) bps vs venue books \(expected) bps")
        #expect(first.netBps >= 10 && first.grossBps > first.netBps + 29)
        #expect(first.quantity > 0 && first.quantity <= 10_000 + 1e-6, "start amount within max notional")
        #expect(abs(first.expectedProfit - first.quantity * first.netBpsAtSize / 10_000) < 1e-6)
        #expect(first.netBpsAtSize <= first.netBps + 1e-9, "rounding to the steps only loses")
        #expect(records.allSatisfy { $0.strategyKind == .triangular }, "no spread: every USDT pair is still in line")
        usleep(400_000)  // the status text is refreshed every 200 ms
        let status = try ControlSocketServer.request(path: workspace.detectorSocket, command: "status")
        #expect(status.contains(#""triangular_cycles":5"#), "\(status.prefix(300))")
        #expect(status.contains(#""strategy":"triangular""#) && status.contains(#""cycle":"USDT>ETH>BTC>USDT""#), "\(status.prefix(1200))")
        // The dislocation lasts: its track holds the cycle, so it is signalled once, not once per
        // 200 ms cooldown, and the track is open in the status.
        #expect(cycles.count == 1, "\(cycles.count) signals of a cycle its track follows")
        let track = #"{"track":\#(first.id),"strategy":"triangular","symbol":"ETH-BTC","buy":"binance/spot","sell":"USDT>ETH>BTC>USDT""#
        #expect(status.contains(track), "\(status)")

        // SIGKILL, and a new detector: the track is found again by its names (the cycle, its
        // orientation) and goes on holding the cycle, which is not signalled again.
        detector.signal(SIGKILL)
        _ = detector.wait()
        detector = try workspace.detector()
        var recovered = ""
        let by = Date().addingTimeInterval(10)
        while Date() < by, !recovered.contains(#""recovered_tracks":1"#) {
            usleep(50_000)
            recovered = (try? ControlSocketServer.request(path: workspace.detectorSocket, command: "status")) ?? ""
        }
        #expect(recovered.contains(#""recovered_tracks":1"#) && recovered.contains(track), "\(recovered)")
        usleep(500_000)
        var after: [OpportunityRecord] = []
        while let record = ring.tryPop() { after.append(record) }
        #expect(!after.contains { $0.strategyKind == .triangular }, "\(after.count) records after the restart")
    }
}
