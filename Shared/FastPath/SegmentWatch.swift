import BlockingCalls
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Tells a service when a shared-memory segment it uses is no longer the one its name leads to:
/// removed (`draizer shm remove` while it ran), or re-created by a process started after that.
/// The service then writes where no one reads, or reads what no one writes, without a sign;
/// it should stop and be restarted, attaching to the current set.
///
/// Checked from a thread of its own once a second (a few system calls per segment), so the
/// service's own threads only read a flag.
public final class SegmentWatch: Sendable {
    private let lostFlag = Atomic<Bool>(false)
    private let lostName = Mutex<String?>(nil)
    private let stopped = Atomic<Bool>(false)

    /// Starts watching `segments`, checking every `intervalMillis`.
    public init(_ segments: [SharedMemorySegment], intervalMillis: Int = 1000) {
        let names = segments.map(\.name)
        DetachedThread.start { [self] in
            while !stopped.load(ordering: .relaxed) {
                usleep(UInt32(max(intervalMillis, 1)) * 1000)
                if let index = segments.firstIndex(where: { !$0.isStillNamed() }) {
                    lostName.withLock { $0 = names[index] }
                    lostFlag.store(true, ordering: .releasing)
                    return
                }
            }
        }
    }

    /// True once a segment was found removed or replaced (one atomic load).
    public var hasLost: Bool { lostFlag.load(ordering: .acquiring) }

    /// What to tell the operator once `hasLost`; nil before.
    public var lostDescription: String? {
        guard hasLost, let name = lostName.withLock({ $0 }) else { return nil }
        return "shared memory \(name) was removed or replaced while this process used it (draizer shm remove, or a new set "
            + "made since): it no longer sees the other services. Stopping; start it again to attach to the current set."
    }

    /// Ends the watching thread (at its next check).
    public func stop() {
        stopped.store(true, ordering: .relaxed)
    }
}
