/// The times a busy-polling loop's CPU was taken away from it.
///
/// The loop notes the clock when it starts spinning on its rings and hands over its next clock
/// reading, which it takes anyway when a record arrives. A spin takes a microsecond or two; an
/// interval of `thresholdNanos` or more is time the CPU ran something else (the kernel's timer
/// tick, another task, the hypervisor), while a record may have been waiting. A core of one's own
/// (`isolcpus`, `nohz_full`) keeps these rare; a shared or virtual one does not.
public struct BusyLoopStalls: Sendable, Equatable {
    public let thresholdNanos: Int64
    /// Stalls seen.
    public private(set) var count: UInt64 = 0
    /// Their total length.
    public private(set) var lostNanos: Int64 = 0
    public private(set) var longestNanos: Int64 = 0
    /// The clock reading that ended the latest stall (`Int64.min` before the first).
    public private(set) var lastEndNanos: Int64 = .min
    /// When the current spin began; `Int64.max` when not spinning.
    private var spinStartedNanos: Int64 = .max

    public init(thresholdNanos: Int64 = 10_000) {
        self.thresholdNanos = max(1, thresholdNanos)
    }

    /// The loop is about to spin on its rings.
    @inline(__always)
    public mutating func spinStarted(at nanos: Int64) {
        spinStartedNanos = nanos
    }

    /// The loop's first clock reading after a spin (later ones until the next spin change nothing).
    /// True when the spin was a stall.
    @inline(__always)
    @discardableResult
    public mutating func clockRead(_ nanos: Int64) -> Bool {
        let spun = nanos &- spinStartedNanos
        spinStartedNanos = .max
        guard spun >= thresholdNanos else { return false }
        stalled(spun, endingAt: nanos)
        return true
    }

    private mutating func stalled(_ length: Int64, endingAt nanos: Int64) {
        count &+= 1
        lostNanos &+= length
        longestNanos = max(longestNanos, length)
        lastEndNanos = nanos
    }
}
