import Foundation
import Testing

/// A running `fastpath-probe` process (the other side of a multi-process test).
final class ProbeProcess {
    let process = Process()
    private let output = Pipe()

    /// Path of an executable built next to the test bundle (override with DRAIZER_BIN_DIR).
    static func binary(_ name: String) -> URL {
        if let directory = ProcessInfo.processInfo.environment["DRAIZER_BIN_DIR"] {
            return URL(fileURLWithPath: directory).appendingPathComponent(name)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent(name)
    }

    init(_ arguments: [String]) throws {
        process.executableURL = Self.binary("fastpath-probe")
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Reads stdout lines until `line` arrives (or the process ends / `timeout` passes).
    func waitForLine(_ line: String, timeout: Duration = .seconds(20)) throws {
        let deadline = ContinuousClock.now + timeout
        var buffer = ""
        let handle = output.fileHandleForReading
        while ContinuousClock.now < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer += String(decoding: chunk, as: UTF8.self)
            if buffer.split(separator: "\n").contains(where: { $0 == line }) { return }
        }
        throw ProbeError(message: "probe did not print \(line); got \(buffer)")
    }

    /// Everything the process printed, after it exited.
    func finish() -> (status: Int32, output: String) {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func kill(signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
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
