import Foundation
import ServiceKit
import TestSupport
import Testing

/// A running `fastpath-probe` process (the other side of a multi-process test).
final class ProbeProcess {
    let child: ChildProcess

    init(_ arguments: [String]) throws {
        child = try ChildProcess(executable: builtBinary("fastpath-probe"), arguments: arguments, output: .pipe)
    }

    /// Reads stdout lines until `line` arrives; throws if the process ends or 20 s pass first.
    func waitForLine(_ line: String) throws {
        guard child.waitForLine(line, timeoutMillis: 20_000) else {
            throw ProbeError(message: "probe did not print \(line)")
        }
    }

    /// Exit status and everything the process printed.
    func finish() -> (status: Int32, output: String) {
        let lines = child.readAll()
        return (child.wait(), lines.joined(separator: "\n"))
    }

    func kill(signal: Int32) {
        child.signal(signal)
        child.wait()
    }
}

struct ProbeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A unique segment prefix per test, removed afterwards.
func withSegmentPrefix<T>(_ body: (String) throws -> T) rethrows -> T {
    let prefix = "drztest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    defer {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? [] where name.hasPrefix(prefix) {
            shm_unlink("/" + name)
        }
    }
    return try body(prefix)
}
