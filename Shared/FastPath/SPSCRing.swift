#if canImport(Glibc)
import Glibc
#endif
import CDraizerShim

/// A single-producer single-consumer ring of fixed-size records in shared memory (gateway →
/// detector notices, detector → executor opportunities).
///
/// Indices grow forever (no wrap ambiguity) and are masked with a power-of-two capacity. Producer
/// and consumer lines are 128 bytes apart so prefetching one never drags the other. Each side keeps
/// a cached copy of the other's index and reloads it only when the ring looks full / empty.
/// Nothing is overwritten: `tryPush` returns false when full and the producer decides.
///
/// ```
///   0 header (128)                       geometry: capacity, record bytes, record tag
/// 128 tail u64   136 pushed u64   144 rejectedFull u64   152 cachedHead u64 (producer only)
/// 256 head u64   264 cachedTail u64 (consumer only)
/// 384 doorbell sleeping u32   392 wake count u64
/// 512 records
/// ```
public enum SPSCRing {
    enum Offset {
        static let tail = 128
        static let pushed = 136
        static let rejectedFull = 144
        static let cachedHead = 152
        static let head = 256
        static let cachedTail = 264
        static let sleeping = 384
        static let wakeCount = 392
        static let records = 512
    }

    /// The consumer's check for waiting records: the producer's tail (sequentially consistent, for
    /// the sleep protocol) against the consumer's head.
    @inline(__always)
    static func hasRecords(_ words: SharedWords) -> Bool {
        words.loadSeqCst(Offset.tail) != words.loadRelaxed(Offset.head)
    }

    static func recordBytes<Record: RingRecord>(_: Record.Type) -> Int {
        (MemoryLayout<Record>.stride + 7) & ~7
    }

    static func bytes(capacity: Int, recordBytes: Int) -> Int {
        Offset.records + capacity * recordBytes
    }

    /// Creates a ring for `capacity` records (a power of two, ≥ 2).
    public static func create<Record: RingRecord>(
        name: String, capacity: Int, of _: Record.Type
    ) throws(SharedMemoryError) -> SharedMemorySegment {
        guard capacity >= 2, capacity <= 1 << 26, capacity & (capacity - 1) == 0 else {
            throw .invalidCapacity(name: name, reason: "expected a power of two in 2...67108864, was \(capacity)")
        }
        let recordBytes = recordBytes(Record.self)
        let segment = try SharedMemorySegment.create(name: name, size: bytes(capacity: capacity, recordBytes: recordBytes))
        SegmentHeader.initialise(
            segment, kind: .ring, geometry: [UInt64(capacity), UInt64(recordBytes), Record.recordTag])
        SegmentHeader.markReady(segment)
        return segment
    }

    /// Opens a ring and checks it carries `Record`s.
    static func open<Record: RingRecord>(name: String, of _: Record.Type) throws(SharedMemoryError) -> (SharedMemorySegment, Int) {
        let segment = try SegmentHeader.openValidated(name: name, kind: .ring)
        try SegmentHeader.expectGeometry(segment, index: 1, field: "record bytes", expected: UInt64(recordBytes(Record.self)))
        try SegmentHeader.expectGeometry(segment, index: 2, field: "record type tag", expected: Record.recordTag)
        let capacity = Int(SegmentHeader.read(segment).geometry[0])
        guard capacity >= 2, capacity & (capacity - 1) == 0,
            segment.size == bytes(capacity: capacity, recordBytes: recordBytes(Record.self))
        else {
            throw .truncated(
                name: name, expectedBytes: bytes(capacity: max(capacity, 2), recordBytes: recordBytes(Record.self)),
                actualBytes: segment.size)
        }
        return (segment, capacity)
    }

    /// Claims the producer or consumer role: one live process per role. A role held by a pid that
    /// no longer exists is taken over (the previous holder crashed).
    static func claim(_ segment: SharedMemorySegment, roleOffset: Int, role: String) throws(SharedMemoryError) {
        let words = SharedWords(segment.base)
        let me = UInt32(getpid())
        while true {
            let holder = words.load32Acquire(roleOffset)
            if holder == me { return }
            if holder != 0, kill(pid_t(holder), 0) == 0 || errno == EPERM {
                throw .roleTaken(name: segment.name, role: role, pid: Int32(holder))
            }
            if words.compareExchange32(roleOffset, expected: holder, desired: me) { return }
        }
    }

    static func release(_ segment: SharedMemorySegment, roleOffset: Int) {
        _ = SharedWords(segment.base).compareExchange32(roleOffset, expected: UInt32(getpid()), desired: 0)
    }

    /// Occupancy and counters, readable from any process (for `draizer shm inspect`).
    public struct Stats: Sendable {
        public var capacity: Int
        public var recordBytes: Int
        public var pushed: UInt64
        public var popped: UInt64
        public var rejectedFull: UInt64
        public var wakeups: UInt64
        public var producerPid: UInt32
        public var consumerPid: UInt32
        public var depth: UInt64 { pushed &- popped }
    }

    /// Opens any ring (whatever its record type), checks its header and returns its counters.
    public static func inspect(name: String) throws(SharedMemoryError) -> Stats {
        let segment = try SegmentHeader.openValidated(name: name, kind: .ring)
        return stats(of: segment)
    }

    public static func stats(of segment: SharedMemorySegment) -> Stats {
        let words = SharedWords(segment.base)
        let header = SegmentHeader.read(segment)
        return Stats(
            capacity: Int(header.geometry[0]), recordBytes: Int(header.geometry[1]),
            pushed: words.loadAcquire(Offset.tail), popped: words.loadAcquire(Offset.head),
            rejectedFull: words.loadRelaxed(Offset.rejectedFull), wakeups: words.loadRelaxed(Offset.wakeCount),
            producerPid: words.load32Relaxed(SegmentHeader.Offset.producerPid),
            consumerPid: words.load32Relaxed(SegmentHeader.Offset.consumerPid))
    }
}

extension SPSCRing {
    /// What each end holds of a ring: the mapping, its geometry and doorbell, and its role
    /// (producer or consumer) claimed for this process until `release`.
    struct End {
        let segment: SharedMemorySegment
        let capacity: Int
        let words: SharedWords
        let mask: UInt64
        let records: UnsafeMutableRawPointer
        let recordBytes: Int
        let doorbell: Doorbell
        private let roleOffset: Int

        /// Opens the ring of `Record`s called `name` and claims the role at `roleOffset`.
        init<Record: RingRecord>(name: String, of _: Record.Type, roleOffset: Int, role: String) throws(SharedMemoryError) {
            let (segment, capacity) = try SPSCRing.open(name: name, of: Record.self)
            try SPSCRing.claim(segment, roleOffset: roleOffset, role: role)
            self.segment = segment
            self.capacity = capacity
            words = SharedWords(segment.base)
            mask = UInt64(capacity - 1)
            records = segment.base + Offset.records
            recordBytes = SPSCRing.recordBytes(Record.self)
            doorbell = Doorbell(words, sleepingOffset: Offset.sleeping, wakeCountOffset: Offset.wakeCount)
            self.roleOffset = roleOffset
        }

        /// The record slot of index `index` (indices grow forever; the mask folds them in).
        @inline(__always)
        func slot(_ index: UInt64) -> UnsafeMutableRawPointer {
            records + Int(index & mask) &* recordBytes
        }

        func release() {
            SPSCRing.release(segment, roleOffset: roleOffset)
        }
    }
}

/// The producing end of an `SPSCRing`. Use from one thread.
public final class RingProducer<Record: RingRecord>: @unchecked Sendable {
    // @unchecked Sendable: may be moved to the producing thread; the single-producer role is
    // enforced across processes by the pid claim and within one by the documented contract.

    let end: SPSCRing.End
    public var segment: SharedMemorySegment { end.segment }
    public var capacity: Int { end.capacity }
    public var doorbell: Doorbell { end.doorbell }

    /// Attaches as the ring's only producer.
    public init(name: String) throws(SharedMemoryError) {
        end = try SPSCRing.End(name: name, of: Record.self, roleOffset: SegmentHeader.Offset.producerPid, role: "producer")
    }

    deinit {
        end.release()
    }

    /// Appends a record; false when the ring is full (the record is not stored, a counter grows).
    public func tryPush(_ record: Record) -> Bool {
        let words = end.words
        let tail = words.loadRelaxed(SPSCRing.Offset.tail)
        if tail &- words.loadRelaxed(SPSCRing.Offset.cachedHead) > end.mask {
            let head = words.loadAcquire(SPSCRing.Offset.head)
            words.storeRelaxed(SPSCRing.Offset.cachedHead, head)
            if tail &- head > end.mask {
                words.storeRelaxed(SPSCRing.Offset.rejectedFull, words.loadRelaxed(SPSCRing.Offset.rejectedFull) &+ 1)
                return false
            }
        }
        // SAFETY: the slot index is masked into 0..<capacity and the records area holds capacity ×
        // recordBytes bytes; the consumer does not read this slot until the release store below.
        end.slot(tail).storeBytes(of: record, as: Record.self)
        words.storeRelease(SPSCRing.Offset.tail, tail &+ 1)
        return true
    }

    /// Asks this core's cache, for writing, for the lines the next `count` pushes will store to:
    /// the slots and the producer's header line. A producer that pushes rarely calls this while
    /// idle, so a push does not wait for lines the consumer's core last held.
    public func warmNextSlots(_ count: Int = 4) {
        drz_prefetch_write(end.words.base + SPSCRing.Offset.tail)
        let tail = end.words.loadRelaxed(SPSCRing.Offset.tail)
        for next in 0..<UInt64(max(count, 0)) {
            let slot = end.slot(tail &+ next)
            for offset in stride(from: 0, to: end.recordBytes, by: 64) { drz_prefetch_write(slot + offset) }
        }
    }

    /// Appends and wakes a sleeping consumer.
    public func pushAndNotify(_ record: Record) -> Bool {
        guard tryPush(record) else { return false }
        end.doorbell.ring()
        return true
    }
}

/// The consuming end of an `SPSCRing`. Use from one thread.
public final class RingConsumer<Record: RingRecord>: @unchecked Sendable {
    // @unchecked Sendable: same contract as RingProducer, for the consumer role.

    let end: SPSCRing.End
    public var segment: SharedMemorySegment { end.segment }
    public var capacity: Int { end.capacity }
    public var doorbell: Doorbell { end.doorbell }
    var words: SharedWords { end.words }

    /// Attaches as the ring's only consumer.
    public init(name: String) throws(SharedMemoryError) {
        end = try SPSCRing.End(name: name, of: Record.self, roleOffset: SegmentHeader.Offset.consumerPid, role: "consumer")
    }

    deinit {
        end.release()
    }

    /// Takes the oldest record, or nil when the ring is empty.
    public func tryPop() -> Record? {
        let words = end.words
        let head = words.loadRelaxed(SPSCRing.Offset.head)
        if head == words.loadRelaxed(SPSCRing.Offset.cachedTail) {
            let tail = words.loadAcquire(SPSCRing.Offset.tail)
            words.storeRelaxed(SPSCRing.Offset.cachedTail, tail)
            if head == tail { return nil }
        }
        // SAFETY: head < tail, so the producer finished this slot (acquire above) and will not
        // reuse it before the release store below.
        let record = end.slot(head).loadUnaligned(as: Record.self)
        words.storeRelease(SPSCRing.Offset.head, head &+ 1)
        return record
    }

    /// True when at least one record is waiting (sequentially consistent, for the sleep protocol).
    public var hasRecords: Bool { SPSCRing.hasRecords(words) }

    /// Waits for a record: spins `spinIterations` times, then sleeps on the doorbell for at most
    /// `timeoutNanos`. Returns true when a record is waiting. Busy-polling consumers pass a large
    /// spin count; idle-friendly ones a small one.
    public func waitForRecords(spinIterations: Int, timeoutNanos: Int64) -> Bool {
        for _ in 0..<spinIterations {
            if hasRecords { return true }
            drz_cpu_relax()
        }
        doorbell.prepareToSleep()
        if hasRecords {
            doorbell.cancelSleep()
            return true
        }
        doorbell.sleep(timeoutNanos: timeoutNanos)
        return hasRecords
    }
}
