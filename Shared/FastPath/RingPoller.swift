/// Several consumers' rings watched together, as a spinning consumer looks at them between
/// pauses: two loads per ring and nothing else.
///
/// Going through the consumers themselves retains and releases each one at every look (two atomic
/// instructions a ring); in a detector's spin over five rings that was 40 % of its samples, between
/// a notice landing and the loop seeing it.
public final class RingPoller<Record: RingRecord>: @unchecked Sendable {
    // @unchecked Sendable: read-only after init; use it from the consumers' thread.

    /// The consumers whose mappings `words` point into: kept alive as long as the poller.
    private let consumers: [RingConsumer<Record>]
    private let words: UnsafeMutableBufferPointer<SharedWords>

    public init(_ consumers: [RingConsumer<Record>]) {
        self.consumers = consumers
        words = .allocate(capacity: consumers.count)
        _ = words.initialize(from: consumers.map(\.words))
    }

    deinit {
        words.deallocate()
    }

    /// True when any ring has a record waiting (sequentially consistent, for the sleep protocol).
    @inline(__always)
    public var anyHasRecords: Bool {
        for ring in words where SPSCRing.hasRecords(ring) { return true }
        return false
    }
}
