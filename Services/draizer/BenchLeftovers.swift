import FastPath
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a benchmark killed before its own cleanup (Ctrl-C, a timeout) left behind: shared-memory
/// segments (13 MB for each price store) and scratch folders, named `<stem><pid>…`. Each bench
/// command removes those of processes that no longer exist before it starts.
enum BenchLeftovers {
    static let stems = ["draizer-bench-", "draizer-detbench-", "draizer-gwbench-"]

    /// Removes the leftovers of dead benchmark processes; returns how many it removed.
    @discardableResult
    static func sweep(scratchDirectory: String = FileManager.default.temporaryDirectory.path) -> Int {
        var removed = 0
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: scratchDirectory)) ?? []
        for stem in stems {
            for name in SharedMemorySegment.existingNames(prefix: stem) where isDead(String(name.dropFirst()), stem: stem) {
                if (try? SharedMemorySegment.unlink(name: name)) != nil { removed += 1 }
            }
            for folder in folders where folder.hasPrefix(stem) && isDead(folder, stem: stem) {
                if (try? FileManager.default.removeItem(atPath: "\(scratchDirectory)/\(folder)")) != nil { removed += 1 }
            }
        }
        return removed
    }

    /// Whether `name` (`<stem><pid>` then `-` or `.`) belongs to a process that no longer exists.
    static func isDead(_ name: String, stem: String) -> Bool {
        let digits = name.dropFirst(stem.count).prefix { $0.isNumber }
        guard let pid = Int32(digits), pid > 0 else { return false }
        return kill(pid, 0) == -1 && errno == ESRCH
    }
}
