#if canImport(Glibc)
import Glibc
#endif

/// Says when the executor ring fills and when it takes opportunities again: while it is full, new
/// opportunities reach Redis and the track files but no executor (counted, `executor_ring_full`),
/// which no log showed — and with no execution service running yet, a long main job fills it.
/// Checked about once a second, off the decision path.
struct ExecutorRingWatch {
    private var refusedAtSpellStart: UInt64 = 0
    private(set) var inSpell = false

    /// The line to log, if any, given the pushes refused so far, the ring's backlog and capacity,
    /// and its consumer's pid (0: none).
    mutating func check(refused: UInt64, backlog: Int, capacity: Int, consumerPid: Int32) -> String? {
        if !inSpell, refused > refusedAtSpellStart {
            inSpell = true
            let consumer = consumerPid == 0 ? "no executor has attached" : "its executor, pid \(consumerPid), is not taking them"
            return "executor ring full (\(backlog) of \(capacity) opportunities waiting; \(consumer)): new opportunities go to Redis "
                + "and the track files only, counted in status as executor_ring_full"
        }
        if inSpell, backlog < capacity {
            inSpell = false
            let lost = refused - refusedAtSpellStart
            refusedAtSpellStart = refused
            return "executor ring takes opportunities again, after refusing \(lost)"
        }
        if !inSpell { refusedAtSpellStart = refused }
        return nil
    }
}
