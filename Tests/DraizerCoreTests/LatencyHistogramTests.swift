@testable import DraizerCore
import Testing

@Suite struct LatencyHistogramTests {
    @Test func bucketsAreContinuousAndTight() {
        var previous = -1
        for value in Int64(0)...70_000 {
            let bucket = LatencyHistogram.bucket(value)
            #expect(bucket == previous || bucket == previous + 1, "no bucket skipped at \(value)")
            previous = bucket
            let (lower, width) = LatencyHistogram.range(bucket)
            #expect(lower <= value && value < lower + width, "\(value) lies in its bucket")
            #expect(Double(width) <= max(1, Double(value) / 16), "\(value): bucket width within 1/16")
        }
    }

    @Test func percentilesOfAKnownDistribution() {
        var histogram = LatencyHistogram()
        #expect(histogram.percentile(0.5) == nil)
        for value in 1...1000 { histogram.record(Int64(value) * 100) }  // 100 ns … 100 µs, uniform
        let p50 = histogram.percentile(0.5)!
        let p99 = histogram.percentile(0.99)!
        #expect(abs(Double(p50) - 50_000) / 50_000 < 0.07, "p50 \(p50)")
        #expect(abs(Double(p99) - 99_000) / 99_000 < 0.07, "p99 \(p99)")
        #expect(histogram.percentile(1) == 100_000)
        #expect(histogram.count == 1000)
    }

    @Test func mergeAddsAndResetClears() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        a.record(10)
        b.record(5_000_000_000)
        b.record(-3)
        a.merge(b)
        #expect(a.count == 3 && a.maximum == 5_000_000_000)
        #expect(a.percentile(0.34) == 10)
        a.reset()
        #expect(a == LatencyHistogram())
    }
}
