import DraizerCore
import FastPath
import Foundation
import ServiceKit
import Strategies
import TestSupport
import Testing

/// Funding from venue-sim's perpetuals, through the gateways' `md.funding` stream on a real Redis,
/// into the detector's carry strategy.
/// (Part of `DetectorProcessTests`, whose suite is serialized: these process tests never overlap.)
extension DetectorProcessTests {
    @Test(.timeLimit(.minutes(1))) func fundingFromRedisDrivesCarrySignals() throws {
        guard let url = ProcessInfo.processInfo.environment["DRAIZER_TEST_REDIS_URL"], !url.isEmpty else {
            throw DetectorProcessTests.Failure(description: "DRAIZER_TEST_REDIS_URL is not set: run the tests with ops/test.sh")
        }
        // A database of its own: stream names are fixed.
        let database = Int.random(in: 1...15)
        let scoped = url.contains("?") ? "\(url)&db=\(database)" : (url.hasPrefix("unix:") ? "\(url)?db=\(database)" : "\(url)/\(database)")
        let sim = try VenueSimProcess(scenario: #"{"updatesPerSecond":40}"#)
        let workspace = try DetectorProcessTests.Workspace(sim: sim, stem: "fct")
        let (directory, names, universe) = (workspace.directory, workspace.names, workspace.universe)
        var processes: [ChildProcess] = []
        defer { processes.forEach { _ = $0.terminate(graceMillis: 2000) } }
        for exchange in [Exchange.binance, .okx] { processes.append(try workspace.gateway(exchange, redisURL: scoped)) }
        // A week's settlements of venue-sim's ~1–1.8 bps per 8 h pay for both taker fees.
        try #"{"carryHoldingHours": 168, "carryMinAnnualRate": 0.1, "carryEntryBps": 5}"#.write(
            toFile: "\(directory)/detector.json", atomically: true, encoding: .utf8)
        processes.append(try workspace.detector(redisURL: scoped))
        var consumer: RingConsumer<OpportunityRecord>?
        var carry: [OpportunityRecord] = []
        let deadline = Date().addingTimeInterval(15)
        while carry.isEmpty, Date() < deadline {
            if consumer == nil { consumer = try? RingConsumer<OpportunityRecord>(name: names.ring("opportunities")) }
            while let record = consumer?.tryPop() {
                if record.strategyKind == .fundingCarry { carry.append(record) }
            }
            usleep(20_000)
        }
        if carry.isEmpty {
            let status = (try? ControlSocketServer.request(path: workspace.detectorSocket, command: "status")) ?? "no answer"
            Issue.record("no carry signal; detector status: \(status.prefix(600))")
        }
        let first = try #require(carry.first, "a carry signal once funding arrived")
        let sell = try #require(first.sell)
        #expect(sell.market == .perp && [.binance, .okx].contains(sell.exchange), "\(sell)")
        #expect(first.buy?.market == .spot && first.netBps >= 5 && first.quantity > 0)
        #expect(universe.symbols.indices.contains(Int(first.symbol)))
        usleep(400_000)  // the status text is refreshed every 200 ms
        let status = try ControlSocketServer.request(path: workspace.detectorSocket, command: "status")
        #expect(status.contains(#""funding":{"received":"#) && !status.contains(#""funding":{"received":0,"#), "\(status.prefix(300))")
        // The signal is followed by a track of its own (a week of funding keeps it well above exit).
        let track = #""strategy":"funding_carry","symbol":"\#(universe.symbols[Int(first.symbol)].name)","buy":"\#(first.buy?.name ?? "?")","sell":"\#(sell.name)""#
        #expect(status.contains(track), "\(track) in \(status)")
    }
}
