import FastPath
import Testing

@Suite struct BusyLoopStallsTests {
    @Test func onlyASpinLongerThanTheThresholdIsAStall() {
        var stalls = BusyLoopStalls(thresholdNanos: 10_000)
        stalls.spinStarted(at: 1_000)
        let shortSpin = stalls.clockRead(2_600)
        #expect(!shortSpin, "a 1.6 µs spin")
        stalls.spinStarted(at: 5_000)
        let away = stalls.clockRead(40_000)
        #expect(away, "35 µs away")
        let notSpinning = stalls.clockRead(90_000)
        #expect(!notSpinning, "not spinning since the last reading: no stall")
        stalls.spinStarted(at: 100_000)
        let atThreshold = stalls.clockRead(110_000)
        #expect(atThreshold, "exactly the threshold")
        #expect(stalls.count == 2 && stalls.lostNanos == 45_000 && stalls.longestNanos == 35_000 && stalls.lastEndNanos == 110_000)
    }

    @Test func readingsWithoutASpinNeverCount() {
        var stalls = BusyLoopStalls()
        let first = stalls.clockRead(0)
        let late = stalls.clockRead(.max)
        stalls.spinStarted(at: .max - 5)
        let nearEnd = stalls.clockRead(.max)
        #expect(!first && !late && !nearEnd, "no spin, or one shorter than the threshold near the end of the clock")
        #expect(stalls == BusyLoopStalls())
    }
}
