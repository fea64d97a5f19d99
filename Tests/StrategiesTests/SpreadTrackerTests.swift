import DraizerCore
import Foundation
import Strategies
import TestSupport
import Testing

/// The tracker's file side: what it rebuilds from its own lines after a restart, and what a
/// reload does to the tracks it follows.
@Suite struct SpreadTrackerTests {
    func line(_ event: String, id: Int, buy: String = "binance/spot", sell: String = "okx/spot", extra: String) -> String {
        #"{"event":"\#(event)","track":\#(id),"symbol":"BTC-USDT","buy":"\#(buy)","sell":"\#(sell)",\#(extra)}"#
    }

    func tracker() -> SpreadTracker { SpreadTracker(intervalMillis: 200, maxAgeSeconds: 10_800, exitBps: 2) }

    static func spread(_ index: Int) -> (TrackSubject, StrategyKind) { (TrackSubject(kind: .spread, index: index), .spotSpot) }

    @Test func recoveryCountsPointsAndPeakAndClosesWhatIsNoLongerTraded() {
        let lines = [
            line("open", id: 1, extra: #""ts_ms":1000,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
            line("point", id: 1, extra: #""ts_ms":1200,"gross_bps":50,"net_bps":31.5,"quantity":0.1"#),
            line("point", id: 1, extra: #""ts_ms":1400,"gross_bps":30,"net_bps":12,"quantity":0.1"#),
            line("open", id: 2, sell: "gone/spot", extra: #""ts_ms":1100,"gross_bps":40,"net_bps":25,"quantity":0.1"#),
            line("open", id: 3, buy: "okx/spot", sell: "binance/spot", extra: #""ts_ms":1100,"gross_bps":40,"net_bps":25,"quantity":0.1"#),
            line("close", id: 3, buy: "okx/spot", sell: "binance/spot", extra: #""ts_ms":1300,"reason":"CONVERGED""#),
        ]
        let tracker = tracker()
        let recovery = tracker.recover(lines: lines, now: 5) { _, _, _, sell in sell == "okx/spot" ? Self.spread(7) : sell == "binance/spot" ? Self.spread(8) : nil }
        #expect(recovery.recovered == 1)
        #expect(tracker.open.count == 1)
        #expect(tracker.open.first.map { [$0.id, UInt64($0.subject.index), UInt64($0.points)] } == [1, 7, 2])
        #expect(tracker.open.first?.subject.kind == .spread && tracker.open.first?.strategy == .spotSpot, "lines without a strategy are spreads")
        #expect(tracker.open.first?.peakNetBps == 31.5 && tracker.open.first?.lastNetBps == 12)
        #expect(recovery.removed.map(\.id) == [2], "open, never closed, direction gone: to be closed REMOVED")
    }

    /// Two open tracks of one direction in the files (only a past fault could write them): the
    /// first is followed, the second is handed back to be closed DUPLICATE (it was skipped, and
    /// stayed open in the file for ever).
    @Test func aSecondOpenTrackOfADirectionIsClosedDuplicate() {
        let tracker = tracker()
        let recovery = tracker.recover(
            lines: [
                line("open", id: 1, extra: #""ts_ms":1000,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
                line("open", id: 2, extra: #""ts_ms":1100,"gross_bps":41,"net_bps":21,"quantity":0.1"#),
                line("open", id: 3, sell: "gone/spot", extra: #""ts_ms":1100,"gross_bps":41,"net_bps":21,"quantity":0.1"#),
            ], now: 5
        ) { _, _, _, sell in sell == "okx/spot" ? Self.spread(7) : nil }
        #expect(recovery.recovered == 1 && tracker.open.map(\.id) == [1])
        #expect(recovery.duplicates.map(\.id) == [2] && recovery.removed.map(\.id) == [3])
        let closes = recovery.closes.map { event -> String in
            guard case .closed(let track, let reason) = event else { return "-" }
            return "\(track.id) \(reason.rawValue)"
        }
        #expect(closes == ["3 REMOVED", "2 DUPLICATE"])
        #expect(SpreadTracker.line(recovery.closes[1], wallMillis: 2000).contains(#""reason":"DUPLICATE""#))
    }

    @Test func reloadKeepsWhatItCanAndClosesTheRestRemoved() throws {
        let tracker = tracker()
        tracker.recover(
            lines: [
                line("open", id: 1, extra: #""ts_ms":1000,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
                line("point", id: 1, extra: #""ts_ms":1200,"gross_bps":50,"net_bps":31.5,"quantity":0.1"#),
                line("open", id: 2, buy: "bybit/spot", extra: #""ts_ms":1000,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
            ], now: 5
        ) { _, _, buy, _ in Self.spread(buy == "binance/spot" ? 3 : 4) }
        let closes = tracker.remap { $0.buy == "binance/spot" ? TrackSubject(kind: .spread, index: 9) : nil }
        #expect(tracker.open.count == 1)
        let kept = try #require(tracker.open.first)
        #expect(kept.id == 1 && kept.subject.index == 9 && kept.points == 1 && kept.peakNetBps == 31.5 && kept.openedWallMillis == 1000)
        #expect(closes.count == 1)
        guard case .closed(let closed, let reason) = try #require(closes.first) else {
            Issue.record("expected a close, was \(closes)")
            return
        }
        #expect(closed.id == 2 && reason == .removed)
        #expect(
            SpreadTracker.line(closes[0], wallMillis: 5000)
                == #"{"event":"close","track":2,"strategy":"spot_spot","symbol":"BTC-USDT","buy":"bybit/spot","sell":"okx/spot","ts_ms":5000,"reason":"REMOVED","points":0,"peak_net_bps":20.0,"last_net_bps":20.0}"#)
    }

    /// Track files damaged in any way (a disk error, a hand edit, a line cut short) are recovered
    /// from without a trap, and every line the tracker then writes is JSON: a damaged opening time
    /// once overflowed the age check at each tick (a crash at every restart, on the same line),
    /// and a damaged name was written back with its backslashes unescaped.
    @Test func damagedLinesAreRecoveredFromAndWrittenBackAsJSON() throws {
        var random = SplitMix64(seed: 0x7EAC_0001)
        let lines = [
            line("open", id: 1, extra: #""ts_ms":1000,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
            line("point", id: 1, extra: #""ts_ms":1200,"gross_bps":50,"net_bps":31.5,"quantity":0.1"#),
            line("open", id: 2, buy: "bybit/spot", extra: #""ts_ms":1100,"gross_bps":40,"net_bps":25,"quantity":0.1"#),
            line("close", id: 2, buy: "bybit/spot", extra: #""ts_ms":1300,"reason":"CONVERGED""#),
        ]
        let damaged = [
            line("open", id: 3, extra: #""ts_ms":-9223372036854775807,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
            line("open", id: 4, sell: #"ok\x/spot"#, extra: #""ts_ms":1000,"gross_bps":40,"net_bps":nan,"quantity":0.1"#),
        ]
        var variants = [damaged]
        for (number, text) in lines.enumerated() {
            for altered in FrameMutations.mutations(of: Array(text.utf8), count: 80, using: &random)
                + FrameMutations.numberReplacements(of: Array(text.utf8))
            {
                var variant = lines
                variant[number] = String(decoding: altered, as: UTF8.self)
                variants.append(variant)
            }
        }
        var written = 0
        for variant in variants {
            let tracker = tracker()
            let recovery = tracker.recover(lines: variant, now: 5) { _, _, _, sell in sell == "okx/spot" ? Self.spread(7) : nil }
            let reading = SpreadDetector.Reading(grossBps: 10, netBps: 5, quantity: 0.1, valid: true)
            let events = recovery.closes + tracker.tick(now: 1_000_000_000, wallMillis: 1_700_000_000_000) { _ in reading }
            for event in events {
                let text = SpreadTracker.line(event, wallMillis: 1_700_000_000_000)
                #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "\(text)")
                written += 1
            }
        }
        #expect(written > variants.count / 2)
    }

    /// Converged tracks say how long they lasted from their signal; expired ones are counted.
    @Test func convergedTracksMeasureHowLongTheyLasted() {
        let tracker = SpreadTracker(intervalMillis: 200, maxAgeSeconds: 60, exitBps: 2)
        #expect(tracker.secondsToConverge(0.5) == nil)
        // Signals at 0, 10, 20 and 30 s, a point a second; at 40 s the first three converge
        // (after 40, 30 and 20 s) and the fourth reads 5 bps and goes on.
        var events: [SpreadTracker.Event] = []
        for second in 0...40 {
            if let id = [0: 1, 10: 2, 20: 3, 30: 4][second] {
                var record = OpportunityRecord()
                record.id = UInt64(id)
                record.direction = UInt32(id)
                record.netBps = 20
                record.wallNanos = Int64(second) * 1_000_000_000
                _ = tracker.opened(record, symbol: "BTC-USDT", buy: "binance/spot", sell: "okx/spot", now: Int64(second) * 1_000_000_000)
            }
            events = tracker.tick(now: Int64(second) * 1_000_000_000 + 200_000_000, wallMillis: Int64(second) * 1000) { subject in
                SpreadDetector.Reading(grossBps: 20, netBps: second == 40 && subject.index != 4 ? 1 : 5, quantity: 1, valid: true)
            }
        }
        #expect(events.count == 7 && tracker.convergedCount == 3 && tracker.expiredCount == 0 && tracker.convergedUnseenCount == 0)
        #expect(tracker.secondsToConverge(0.5) == 30 && tracker.secondsToConverge(0) == 20 && tracker.secondsToConverge(1) == 40)
        // At 95 s the fourth is 65 s old: expired, not a convergence.
        _ = tracker.tick(now: 95_000_000_000, wallMillis: 95_000) { _ in SpreadDetector.Reading(grossBps: 20, netBps: 5, quantity: 1, valid: true) }
        #expect(tracker.expiredCount == 1 && tracker.convergedCount == 3 && tracker.open.isEmpty)
    }

    /// A convergence first seen long after the edge was last read (the detector was down, or the
    /// prices were not trustworthy) happened at some unknown time in between: it counts as a
    /// convergence, apart, and not in how long dislocations last.
    @Test func aConvergenceFoundAfterGoingUnseenIsNotTimed() {
        let tracker = tracker()
        // Two tracks recovered from the file, last read at 1.4 s and at 600 s.
        let lines = [
            line("open", id: 1, extra: #""ts_ms":1000,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
            line("point", id: 1, extra: #""ts_ms":1400,"gross_bps":30,"net_bps":12,"quantity":0.1"#),
            line("open", id: 2, sell: "bybit/spot", extra: #""ts_ms":599000,"gross_bps":40,"net_bps":20,"quantity":0.1"#),
            line("point", id: 2, sell: "bybit/spot", extra: #""ts_ms":600000,"gross_bps":30,"net_bps":12,"quantity":0.1"#),
        ]
        let recovery = tracker.recover(lines: lines, now: 5) { _, _, _, sell in sell == "okx/spot" ? Self.spread(7) : Self.spread(8) }
        #expect(recovery.recovered == 2)
        // The restart at 600.5 s: the first is found converged (unseen for ten minutes), the
        // second still open; it converges two points later, seen all along.
        func reading(_ netBps: Double) -> SpreadDetector.Reading { SpreadDetector.Reading(grossBps: 20, netBps: netBps, quantity: 1, valid: true) }
        _ = tracker.tick(now: 1_000_000_000, wallMillis: 600_500) { $0.index == 7 ? reading(1) : reading(10) }
        #expect(tracker.convergedCount == 1 && tracker.convergedUnseenCount == 1 && tracker.secondsToConverge(0.5) == nil)
        _ = tracker.tick(now: 1_200_000_000, wallMillis: 600_700) { _ in reading(9) }
        _ = tracker.tick(now: 1_400_000_000, wallMillis: 600_900) { _ in reading(1) }
        #expect(tracker.convergedCount == 2 && tracker.convergedUnseenCount == 1)
        #expect(tracker.secondsToConverge(0.5) == 1.9, "from its signal at 599 s, seen before and after the restart")

        // Prices not trustworthy for 3 s: a convergence found after them is not timed either.
        var record = OpportunityRecord()
        record.id = 3
        record.direction = 9
        record.netBps = 20
        record.wallNanos = 700_000_000_000
        _ = tracker.opened(record, symbol: "BTC-USDT", buy: "binance/spot", sell: "mexc/spot", now: 2_000_000_000)
        _ = tracker.tick(now: 2_200_000_000, wallMillis: 700_200) { _ in reading(8) }
        for step in 1...15 {
            _ = tracker.tick(now: 2_200_000_000 + Int64(step) * 200_000_000, wallMillis: 700_200 + Int64(step) * 200) { _ in .invalid }
        }
        _ = tracker.tick(now: 5_400_000_000, wallMillis: 703_400) { _ in reading(1) }
        #expect(tracker.convergedCount == 3 && tracker.convergedUnseenCount == 2 && tracker.open.isEmpty)
    }

    /// Carry and triangular signals are tracked too: each is its own subject (a carry on a
    /// direction is not its spread; a cycle is named by its exchange and currencies in order),
    /// its lines name its strategy, and recovery finds it again by that strategy.
    @Test func carryAndTriangularSignalsAreTrackedAsSubjectsOfTheirOwn() throws {
        let tracker = tracker()
        var spread = OpportunityRecord()
        spread.id = 1
        spread.strategy = StrategyKind.spotPerp.rawValue
        spread.direction = 3
        spread.netBps = 20
        spread.wallNanos = 1_000_000_000
        var carry = spread
        carry.id = 2
        carry.strategy = StrategyKind.fundingCarry.rawValue
        var cycle = spread
        cycle.id = 3
        cycle.strategy = StrategyKind.triangular.rawValue
        cycle.reserved = 0
        let opened = [
            tracker.opened(spread, symbol: "BTC-USDT", buy: "binance/spot", sell: "bybit/perp", now: 0),
            tracker.opened(carry, symbol: "BTC-USDT", buy: "binance/spot", sell: "bybit/perp", now: 0),
            tracker.opened(cycle, symbol: "ETH-BTC", buy: "gateio/spot", sell: "USDT>ETH>BTC>USDT", now: 0),
        ]
        #expect(opened.allSatisfy { $0 != nil }, "one direction's spread and carry, and a cycle: three tracks")
        #expect(tracker.open.map(\.subject) == [
            TrackSubject(kind: .spread, index: 3), TrackSubject(kind: .carry, index: 3), TrackSubject(kind: .triangular, index: 3, forward: false),
        ])
        var again = cycle
        again.id = 4
        #expect(tracker.opened(again, symbol: "ETH-BTC", buy: "gateio/spot", sell: "USDT>ETH>BTC>USDT", now: 0) == nil, "already followed")
        let lines = opened.compactMap { $0 }.map { SpreadTracker.line($0, wallMillis: 1000) }
        #expect(lines[1].contains(#""strategy":"funding_carry""#) && lines[2].contains(#""strategy":"triangular""#))
        // Each reading is asked for by subject; the cycle converges, the others go on.
        let events = tracker.tick(now: 1_000_000_000, wallMillis: 2000) { subject in
            SpreadDetector.Reading(grossBps: 40, netBps: subject.kind == .triangular ? 1 : 15, quantity: 1, valid: true)
        }
        let closed = events.compactMap { event -> UInt64? in
            guard case .closed(let track, .converged) = event else { return nil }
            return track.id
        }
        #expect(closed == [3] && tracker.open.map(\.id) == [1, 2])
        // After a restart, the open lines are found again by strategy and names.
        let restarted = self.tracker()
        var asked: [String] = []
        let recovery = restarted.recover(lines: lines, now: 5) { strategy, symbol, buy, sell in
            asked.append("\(strategy?.name ?? "-") \(symbol) \(buy) \(sell)")
            switch strategy {
            case .fundingCarry: return (TrackSubject(kind: .carry, index: 5), .fundingCarry)
            case .triangular: return (TrackSubject(kind: .triangular, index: 0, forward: false), .triangular)
            default: return (TrackSubject(kind: .spread, index: 5), .spotPerp)
            }
        }
        #expect(asked == ["spot_perp BTC-USDT binance/spot bybit/perp", "funding_carry BTC-USDT binance/spot bybit/perp", "triangular ETH-BTC gateio/spot USDT>ETH>BTC>USDT"])
        #expect(recovery.recovered == 3 && restarted.open.map(\.strategy) == [.spotPerp, .fundingCarry, .triangular])
    }
}
