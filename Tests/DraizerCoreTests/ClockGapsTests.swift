import Testing

@testable import DraizerCore

@Suite struct ClockGapsTests {
    /// Reads every 100 ns from 0 to 100 µs, but for a 5 µs gap at 10 µs and a 20 µs one at 50 µs.
    func twoGaps() -> ClockGaps {
        var readings = Array(stride(from: Int64(0), through: 10_000, by: 100))
        readings += Array(stride(from: Int64(15_000), through: 50_000, by: 100))
        readings += Array(stride(from: Int64(70_000), through: 100_000, by: 100))
        var tally = ClockGaps(thresholdNanos: 1_000)
        tally.readingsTaken(readings)
        return tally
    }

    @Test func keepsOnlyGapsAboveTheThreshold() {
        let tally = twoGaps()
        #expect(tally.gaps == [.init(startNanos: 10_000, lengthNanos: 5_000), .init(startNanos: 50_000, lengthNanos: 20_000)])
        #expect(tally.observedNanos == 100_000)
        #expect(tally.count(atLeast: 1_000) == 2 && tally.count(atLeast: 10_000) == 1 && tally.count(atLeast: 20_001) == 0)
        #expect(abs(tally.lostFraction - 0.25) < 1e-12)
        #expect(tally.longestNanos == 20_000)
        #expect(tally.percentile(0) == 5_000 && tally.percentile(0.99) == 20_000)
    }

    @Test func exposureCountsStartsThatWaitAtLeastTheDelay() {
        let tally = twoGaps()
        // A 4 µs path held up ≥ 10 µs: only the 20 µs gap, starts in [46 µs, 60 µs] → 14 % of 100 µs.
        #expect(abs(tally.exposure(windowNanos: 4_000, delayNanos: 10_000) - 0.14) < 1e-12)
        // Held up ≥ 1 µs: [6, 14] µs and [46, 69] µs → 31 %.
        #expect(abs(tally.exposure(windowNanos: 4_000, delayNanos: 1_000) - 0.31) < 1e-12)
        // A delay longer than every gap: never.
        #expect(tally.exposure(windowNanos: 4_000, delayNanos: 30_000) == 0)
        // Already running: one gap of ≥ 10 µs opens in 100 µs, so a 4 µs run meets it 4 % of the time.
        #expect(abs(tally.interruptedShare(windowNanos: 4_000, delayNanos: 10_000) - 0.04) < 1e-12)
    }

    @Test func overlappingExposuresCountOnce() {
        // Reads every 100 ns but for gaps [10, 22) µs and [24, 36) µs; a 10 µs path held up
        // ≥ 2 µs: starts in [0, 20] ∪ [14, 34] µs = 34 µs of 100.
        var readings = Array(stride(from: Int64(0), through: 10_000, by: 100))
        readings += Array(stride(from: Int64(22_000), through: 24_000, by: 100))
        readings += Array(stride(from: Int64(36_000), through: 100_000, by: 100))
        var tally = ClockGaps(thresholdNanos: 1_000)
        tally.readingsTaken(readings)
        #expect(tally.gaps.count == 2)
        #expect(abs(tally.exposure(windowNanos: 10_000, delayNanos: 2_000) - 0.34) < 1e-12)
    }

    @Test func emptyAndProbed() {
        let empty = ClockGaps()
        #expect(empty.lostFraction == 0 && empty.exposure(windowNanos: 1, delayNanos: 1) == 0 && empty.percentile(0.5) == nil)
        let probed = ClockGaps.probe(seconds: 0.02)
        #expect(probed.observedNanos >= 20_000_000)
        #expect(probed.reads > 1_000, "a tight loop reads the clock far more often than every 20 µs")
        #expect(probed.gaps.allSatisfy { $0.lengthNanos >= 1_000 })
    }
}
