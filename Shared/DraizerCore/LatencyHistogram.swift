/// Counts of nanosecond durations in log-linear buckets: exact below 32 ns, then 16 buckets per
/// power of two (within 6.25 % of the true value) up to about 18 minutes. Recording is a few
/// integer operations and no allocation, so services keep one always on in their hot path.
///
/// Threading: one writer; copy it (a value) to read it elsewhere.
public struct LatencyHistogram: Sendable, Equatable {
    static let subBuckets = 16
    static let bucketCount = 640
    public private(set) var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var maximum: Int64 = 0

    public init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    /// Bucket of a duration (negative durations count as 0).
    static func bucket(_ nanos: Int64) -> Int {
        let value = UInt64(max(nanos, 0))
        if value < UInt64(2 * subBuckets) { return Int(value) }
        let shift = (63 - value.leadingZeroBitCount) - 4
        let index = (shift + 1) * subBuckets + Int(value >> UInt64(shift)) - subBuckets
        return min(index, bucketCount - 1)
    }

    /// Smallest duration that falls in `bucket`, and the bucket's width.
    static func range(_ bucket: Int) -> (lower: Int64, width: Int64) {
        if bucket < 2 * subBuckets { return (Int64(bucket), 1) }
        let shift = bucket / subBuckets - 1
        let sub = bucket % subBuckets + subBuckets
        return (Int64(sub) << Int64(shift), Int64(1) << Int64(shift))
    }

    public mutating func record(_ nanos: Int64) {
        counts[Self.bucket(nanos)] &+= 1
        count &+= 1
        if nanos > maximum { maximum = nanos }
    }

    /// Adds another histogram's counts (per-connection histograms into a per-source one).
    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        count &+= other.count
        maximum = max(maximum, other.maximum)
    }

    public mutating func reset() {
        self = LatencyHistogram()
    }

    /// The duration below which `fraction` of the recorded ones fall (the middle of its bucket),
    /// or nil when nothing was recorded.
    public func percentile(_ fraction: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = UInt64((Double(count) * min(max(fraction, 0), 1)).rounded(.up))
        var seen: UInt64 = 0
        for (bucket, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= max(rank, 1) {
                let (lower, width) = Self.range(bucket)
                return min(lower + width / 2, maximum)
            }
        }
        return maximum
    }

    /// `percentile(fraction)` as JSON: the number, or `null` while nothing was recorded.
    public func percentileJSON(_ fraction: Double) -> String {
        percentile(fraction).map(String.init) ?? "null"
    }
}
