/// The times a thread that does nothing but read the monotonic clock did not get to read it.
///
/// Consecutive reads on a running thread are tens of nanoseconds apart. A gap of a microsecond or
/// more is time its CPU spent on something else: an interrupt (the guest kernel's timer tick), a
/// kernel thread, or — on a virtual machine — the hypervisor running another vCPU or tenant. A
/// hot path on that CPU that overlaps a gap waits for it, so the gaps bound the tail latency any
/// process can reach on the machine.
public struct ClockGaps: Sendable, Equatable {
    /// One gap: `[startNanos, startNanos + lengthNanos)` on the monotonic clock.
    public struct Gap: Sendable, Equatable {
        public var startNanos: Int64
        public var lengthNanos: Int64
    }

    /// Shorter gaps are the loop's own jitter and are not kept.
    public let thresholdNanos: Int64
    /// The gaps of at least `thresholdNanos`, in time order.
    public private(set) var gaps: [Gap] = []
    /// Time covered by the reads, from the first to the last.
    public private(set) var observedNanos: Int64 = 0
    /// Clock reads taken.
    public private(set) var reads: Int64 = 0

    public init(thresholdNanos: Int64 = 1_000) {
        self.thresholdNanos = max(1, thresholdNanos)
    }

    /// Adds consecutive clock readings (ascending), as the probe loop takes them.
    public mutating func readingsTaken(_ readings: some Sequence<Int64>) {
        var previous: Int64?
        for reading in readings {
            if let previous { readingTaken(reading, after: previous) }
            previous = reading
        }
    }

    /// One reading after the one before it.
    @inline(__always)
    public mutating func readingTaken(_ reading: Int64, after previous: Int64) {
        let gap = reading - previous
        reads &+= 1
        observedNanos &+= max(0, gap)
        if gap >= thresholdNanos { gaps.append(Gap(startNanos: previous, lengthNanos: gap)) }
    }

    /// Reads the clock in a tight loop for `seconds` on the calling thread (pin it first).
    public static func probe(seconds: Double, thresholdNanos: Int64 = 1_000) -> ClockGaps {
        var tally = ClockGaps(thresholdNanos: thresholdNanos)
        tally.gaps.reserveCapacity(65_536)
        let start = MonotonicClock.now()
        let end = start + Int64(max(0, seconds) * 1e9)
        var previous = start
        while previous < end {
            let now = MonotonicClock.now()
            tally.readingTaken(now, after: previous)
            previous = now
        }
        return tally
    }

    /// Gaps of at least `nanos`.
    public func count(atLeast nanos: Int64) -> Int {
        gaps.reduce(0) { $0 + ($1.lengthNanos >= nanos ? 1 : 0) }
    }

    /// The share of the observed time spent in gaps (0…1).
    public var lostFraction: Double {
        guard observedNanos > 0 else { return 0 }
        return Double(gaps.reduce(Int64(0)) { $0 + $1.lengthNanos }) / Double(observedNanos)
    }

    /// The longest gap (0 without any).
    public var longestNanos: Int64 { gaps.map(\.lengthNanos).max() ?? 0 }

    /// Of the gaps kept, the length below which `fraction` of them lie.
    public func percentile(_ fraction: Double) -> Int64? {
        guard !gaps.isEmpty else { return nil }
        let sorted = gaps.map(\.lengthNanos).sorted()
        return sorted[min(sorted.count - 1, Int(max(0, fraction) * Double(sorted.count)))]
    }

    /// The share (0…1) of runs of a path of `windowNanos` that is already on the CPU when it starts
    /// (a gateway handling a frame) in which a gap of at least `delayNanos` opens before it ends.
    public func interruptedShare(windowNanos: Int64, delayNanos: Int64) -> Double {
        guard observedNanos > 0 else { return 0 }
        return min(1, Double(count(atLeast: delayNanos)) * Double(max(0, windowNanos)) / Double(observedNanos))
    }

    /// The share of moments (0…1) at which a path of `windowNanos` on this CPU, started then,
    /// is held up by at least `delayNanos`: either the CPU is away when the path should start and
    /// returns `delayNanos` or more later, or a gap of at least `delayNanos` opens before the
    /// path ends. For a gap `[s, e)` of length ≥ `delayNanos` that is every start in
    /// `[s − windowNanos, e − delayNanos]`; overlapping intervals count once.
    public func exposure(windowNanos: Int64, delayNanos: Int64) -> Double {
        guard observedNanos > 0 else { return 0 }
        var covered: Int64 = 0
        var runStart: Int64?
        var runEnd: Int64 = .min
        for gap in gaps where gap.lengthNanos >= delayNanos {
            let from = gap.startNanos - max(0, windowNanos)
            let to = gap.startNanos + gap.lengthNanos - max(0, delayNanos)
            guard to > from else { continue }
            if runStart != nil, from <= runEnd {
                runEnd = max(runEnd, to)
            } else {
                if let start = runStart { covered += runEnd - start }
                runStart = from
                runEnd = to
            }
        }
        if let start = runStart { covered += runEnd - start }
        return min(1, Double(covered) / Double(observedNanos))
    }
}
