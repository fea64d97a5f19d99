import DraizerCore

/// One benchmark's result, printed as one JSON line:
/// `{"bench": NAME, "unit": "ns" | "rows/s", "median": x, "p50": x, "p99": x, "p999": x, "allocs_per_op": x}`.
///
/// `median` is the median over runs of each run's mean per operation; `p50`/`p99`/`p999` are
/// percentiles of the individual samples (a sample is one operation for latencies, or the mean of
/// a batch of operations for the nanosecond-scale ones, where a clock read would cost more than
/// the operation).
struct BenchResult {
    var bench: String
    var unit: String
    var median: Double?
    var p50: Double?
    var p99: Double?
    var p999: Double?
    var allocsPerOp: Double?
    var note: String?

    var jsonLine: String {
        func number(_ value: Double?) -> String {
            guard let value, value.isFinite else { return "null" }
            return value >= 100 ? String(Int64(value.rounded())) : String((value * 100).rounded() / 100)
        }
        var line = #"{"bench": "\#(bench)", "unit": "\#(unit)", "median": \#(number(median)), "p50": \#(number(p50)), "#
            + #""p99": \#(number(p99)), "p999": \#(number(p999)), "allocs_per_op": \#(number(allocsPerOp))"#
        if let note { line += #", "note": "\#(note.replacingAll("\"", with: "'"))""# }
        return line + "}"
    }
}

/// Collects samples across runs and summarises them.
struct SampleSet {
    private(set) var samples: [Double] = []
    private(set) var runMeans: [Double] = []

    mutating func reserve(_ count: Int) { samples.reserveCapacity(count) }
    mutating func add(_ sample: Double) { samples.append(sample) }
    mutating func endRun(mean: Double) { runMeans.append(mean) }

    func percentile(_ fraction: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int(fraction * Double(sorted.count)))]
    }

    var medianOfRuns: Double? {
        guard !runMeans.isEmpty else { return nil }
        let sorted = runMeans.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    func result(_ bench: String, unit: String = "ns", allocsPerOp: Double?) -> BenchResult {
        BenchResult(
            bench: bench, unit: unit, median: medianOfRuns, p50: percentile(0.5), p99: percentile(0.99),
            p999: percentile(0.999), allocsPerOp: allocsPerOp)
    }
}
