import Foundation
import ServiceKit

/// What a process started now inherits from this one, for the close-on-exec tests.
public enum InheritedDescriptors {
    /// What `/proc/self/fd/N` points at in this process, e.g. `socket:[1234]` or `pipe:[5678]`.
    public static func target(_ descriptor: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)")
    }

    /// This process's open descriptors and what they point at.
    public static func open() -> [Int32: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        var found: [Int32: String] = [:]
        for name in names {
            guard let descriptor = Int32(name), let target = target(descriptor) else { continue }
            found[descriptor] = target
        }
        return found
    }

    /// What a shell started now was handed: it lists its descriptors before opening anything
    /// itself (its own stdout, the capture pipe, is among them). Nil when it did not exit 0.
    public static func ofAChild() throws -> Set<String>? {
        let lister = try ChildProcess(executable: "sh", arguments: ["-c", "for f in /proc/$$/fd/*; do readlink \"$f\"; done"], output: .pipe)
        let inherited = Set(lister.readAll(timeoutMillis: 5000))
        return lister.wait() == 0 ? inherited : nil
    }
}
