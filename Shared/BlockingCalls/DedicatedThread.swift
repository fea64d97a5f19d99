#if canImport(Glibc)
import Glibc
#endif

/// An OS thread of its own that runs blocking jobs (hiredis, libpq calls) one at a time, in
/// submission order, so they never occupy an event loop or Swift's cooperative pool (two threads
/// on a two-core host).
///
/// Async callers `await run { ... }`; the job runs on this thread and its result or error comes back.
public final class DedicatedThread: @unchecked Sendable {
    // @unchecked Sendable: `jobs` and `state` are only touched while holding `condition`.

    private let condition = ConditionLock()
    private var jobs: [@Sendable () -> Void] = []
    private var jobsHead = 0
    private var state = State.running
    private let name: String

    private enum State {
        case running
        case stopping
        case stopped
    }

    public init(name: String) {
        self.name = name
        let started = DetachedThread.start { [unowned self] in
            self.loop()
        }
        precondition(started, "thread \(name): the system refused a new thread")
    }

    deinit {
        // The thread holds no strong reference; it exits after `stop`. A never-stopped thread is
        // stopped here so it does not outlive its owner.
        condition.lock()
        if state == .running { state = .stopping }
        condition.broadcast()
        while state != .stopped { condition.wait() }
        condition.unlock()
    }

    /// Runs `body` on the dedicated thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = submit {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !accepted { continuation.resume(throwing: DedicatedThreadStopped(name: name)) }
        }
    }

    /// Queues a job; false when the thread is stopping and will not run it.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard state == .running else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Finishes the queued jobs, then ends the thread. Waits until it has ended.
    public func stop() {
        condition.lock()
        if state == .running { state = .stopping }
        condition.broadcast()
        while state != .stopped { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobsHead == jobs.count && state == .running { condition.wait() }
            if jobsHead == jobs.count {
                state = .stopped
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs[jobsHead]
            jobsHead += 1
            if jobsHead == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                jobsHead = 0
            }
            condition.unlock()
            job()
        }
    }
}

/// A job was submitted after `stop()`.
public struct DedicatedThreadStopped: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "thread \(name): expected a running thread, was stopped" }
}
