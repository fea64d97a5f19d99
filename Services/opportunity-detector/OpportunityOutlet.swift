import CDraizerShim
import FastPath
import Foundation
import Strategies

/// Where a decision goes the moment it is made: into a ring for the executor, its subject held,
/// and onto the list the loop counts once the rings are drained (and publishes when they are
/// quiet).
///
/// A busy detector keeps two: the real one, and its rehearsal's, whose ring no other process
/// maps. Both run this same code, so rehearsing keeps it in the instruction cache. Measured with
/// a stage probe at 40 updates/s per book: the first opportunity after a quiet spell spent
/// 1.1–1.3 µs between its decision and the end of `take`, the next ones of the same notice 0.1 µs.
final class OpportunityOutlet {
    let ring: RingProducer<OpportunityRecord>?
    /// Emitted since the loop last counted them, with when their notice was taken and what its
    /// frame carried (`UpdateNotice.kind`).
    private(set) var pending: [(record: OpportunityRecord, popped: Int64, frameKind: UInt8)] = []
    /// Pushes the ring refused because the executor had not taken enough.
    private(set) var ringFull: UInt64 = 0
    /// The detector whose subjects `take` holds (the loop's, or the rehearsal's understudy).
    var holder: SpreadDetector?
    /// When the notice being evaluated was taken (monotonic ns), and its kind, set by the loop at
    /// each pop.
    var popped: Int64 = 0
    var poppedKind: UInt8 = 0
    /// The rehearsal's own consumer: it takes back what the rehearsal pushed.
    private let drain: RingConsumer<OpportunityRecord>?

    init(ring: RingProducer<OpportunityRecord>?) {
        self.ring = ring
        drain = nil
        pending.reserveCapacity(64)
    }

    /// A rehearsal's outlet: on a ring of its own, mapped by this process only (its name is
    /// unlinked at once).
    static func rehearsal() throws -> OpportunityOutlet {
        let names = try SegmentNames(prefix: "draizer-rehearsal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        return try OpportunityOutlet(privateRingNamed: names.ring("opportunities"))
    }

    private init(privateRingNamed name: String) throws(SharedMemoryError) {
        _ = try SPSCRing.create(name: name, capacity: 16, of: OpportunityRecord.self)
        defer { try? SharedMemorySegment.unlink(name: name) }
        ring = try RingProducer<OpportunityRecord>(name: name)
        drain = try RingConsumer<OpportunityRecord>(name: name)
        pending.reserveCapacity(64)
    }

    /// One opportunity: to the executor at once; its subject held until its track is opened.
    /// Nothing else: the next candidate of the same notice waits for this.
    @inline(never)
    func take(_ record: OpportunityRecord) {
        if let ring, !ring.pushAndNotify(record) { ringFull &+= 1 }
        // Every signal is tracked; what it is a signal of is held meanwhile.
        holder?.hold(TrackSubject(record), true)
        pending.append((record, popped, poppedKind))
    }

    /// What `evaluate` calls with each opportunity. The loop's closure and its rehearsal's are made
    /// by this one expression: the same code, on different outlets, so rehearsing warms the real
    /// path from the decision to the ring. Stage probe, a notice's first decision to the start of
    /// `take`: 330-380 ns when only `take` was shared, 51-61 ns with this.
    static func emitter(_ outlet: OpportunityOutlet) -> (inout OpportunityRecord) -> Void {
        { record in outlet.take(record) }
    }

    /// The list, emptied (its capacity kept, so `take` never allocates).
    func removeAllPending() {
        pending.removeAll(keepingCapacity: true)
    }

    /// After a rehearsal: takes its records back out of the private ring and forgets them.
    func discardRehearsed() {
        while drain?.tryPop() != nil {}
        removeAllPending()
    }

    /// Asks this core's cache, for writing, for what the next `take` stores to: the ring's next
    /// slots and the list's header and first element.
    func warm() {
        ring?.warmNextSlots()
        pending.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            drz_prefetch_write(raw)
            drz_prefetch_write(raw.advanced(by: -32))
        }
    }
}
