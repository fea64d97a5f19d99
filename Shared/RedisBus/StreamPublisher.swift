import BlockingCalls
import DraizerCore
import Synchronization

/// An entry to add to a Redis stream: the stream and its fields in order.
public struct StreamMessage: Sendable {
    public var stream: String
    public var fields: [(String, String)]

    public init(stream: String, fields: [(String, String)]) {
        self.stream = stream
        self.fields = fields
    }
}

/// A service's slow fan-out: entries to bounded Redis streams (`XADD … MAXLEN ~ N`), written by
/// a thread of its own so the hot path never waits for Redis. While Redis is away entries are
/// dropped and counted (the streams are for consumers that tolerate gaps: samples, notifications
/// also kept elsewhere), and reconnection is tried at most once a second. Each outage is logged
/// twice, when it starts and when Redis is back (with what it cost), not once per entry. An entry
/// the server refuses (a stream key holding another type, out of memory, a read-only replica) is
/// dropped too; the first refusal of a stream is logged, and when that stream takes entries again.
public final class StreamPublisher: Sendable {
    public let maxLength: Int
    /// Entries waiting for the thread beyond this are dropped rather than queued.
    public let maxPending: Int
    private let thread = DedicatedThread(name: "redis-streams")
    private let writer: Writer
    private let pending = Atomic<Int>(0)
    public let published = Atomic<UInt64>(0)
    public let dropped = Atomic<UInt64>(0)
    public let failures = Atomic<UInt64>(0)
    /// The server's last refusal (empty: none), for `status`.
    private let lastRefusal = Mutex("")

    /// Lives on the thread: the connection and when it last failed.
    private final class Writer: @unchecked Sendable {
        // @unchecked Sendable: created before the thread runs jobs and used only by its jobs,
        // which run one at a time.
        let configuration: RedisConfiguration
        var connection: RedisConnection?
        var lastFailureNanos: Int64 = 0
        /// When the current outage began (0: none) and the drop count then.
        var outageStartNanos: Int64 = 0
        var droppedAtOutageStart: UInt64 = 0
        /// Streams the server refuses entries to, and how many it refused since the first.
        var refusedStreams: [String: UInt64] = [:]
        init(configuration: RedisConfiguration) { self.configuration = configuration }
    }

    private let log: @Sendable (String) -> Void

    /// `log` gets one line when Redis is lost and one when it is back (default: stderr).
    public init(
        configuration: RedisConfiguration, maxLength: Int, maxPending: Int = 10_000,
        log: @escaping @Sendable (String) -> Void = { writeErrorLine($0) }
    ) {
        self.maxLength = maxLength
        self.maxPending = maxPending
        self.log = log
        writer = Writer(configuration: configuration)
    }

    /// Hands entries to the thread; never blocks.
    public func publish(_ entries: [StreamMessage]) {
        guard !entries.isEmpty else { return }
        if pending.add(entries.count, ordering: .relaxed).newValue > maxPending {
            pending.subtract(entries.count, ordering: .relaxed)
            dropped.add(UInt64(entries.count), ordering: .relaxed)
            return
        }
        let accepted = thread.submit { [self] in
            write(entries)
            pending.subtract(entries.count, ordering: .relaxed)
        }
        if !accepted {
            pending.subtract(entries.count, ordering: .relaxed)
            dropped.add(UInt64(entries.count), ordering: .relaxed)
        }
    }

    /// On the thread.
    private func write(_ entries: [StreamMessage]) {
        if writer.connection == nil {
            guard MonotonicClock.now() - writer.lastFailureNanos > 1_000_000_000 else {
                dropped.add(UInt64(entries.count), ordering: .relaxed)
                return
            }
            do {
                writer.connection = try RedisConnection(configuration: writer.configuration)
            } catch {
                lost(error)
                failures.add(1, ordering: .relaxed)
                dropped.add(UInt64(entries.count), ordering: .relaxed)
                return
            }
            if writer.outageStartNanos != 0 {
                let millis = (MonotonicClock.now() - writer.outageStartNanos) / 1_000_000
                let lostEntries = dropped.load(ordering: .relaxed) - writer.droppedAtOutageStart
                log("redis streams: Redis at \(writer.configuration.endpoint) is back after \(millis) ms; \(lostEntries) entries were dropped meanwhile")
                writer.outageStartNanos = 0
            }
        }
        for (index, entry) in entries.enumerated() {
            do {
                try writer.connection?.xadd(stream: entry.stream, maxLength: maxLength, fieldList: entry.fields)
                published.add(1, ordering: .relaxed)
                if let refused = writer.refusedStreams.removeValue(forKey: entry.stream) {
                    log("redis streams: Redis takes entries to \(entry.stream) again, after refusing \(refused)")
                }
            } catch {
                failures.add(1, ordering: .relaxed)
                guard error.isRetryable else {
                    dropped.add(1, ordering: .relaxed)  // refused by the server: the next ones may pass
                    refused(entry.stream, error)
                    continue
                }
                // Connection lost: drop the rest of this batch and reconnect later.
                lost(error)
                dropped.add(UInt64(entries.count - index), ordering: .relaxed)
                writer.connection = nil
                return
            }
        }
    }

    /// On the thread: the server refused an entry to `stream`. Logs the first refusal of a spell.
    private func refused(_ stream: String, _ error: RedisError) {
        lastRefusal.withLock { $0 = "\(stream): \(error)" }
        writer.refusedStreams[stream, default: 0] += 1
        guard writer.refusedStreams[stream] == 1 else { return }
        log("redis streams: Redis refused an entry to \(stream) (\(error)); its entries are dropped and counted until it takes them again")
    }

    /// On the thread: a failed connect or command. Logs the first of an outage.
    private func lost(_ error: RedisError) {
        writer.lastFailureNanos = MonotonicClock.now()
        guard writer.outageStartNanos == 0 else { return }
        writer.outageStartNanos = writer.lastFailureNanos
        writer.droppedAtOutageStart = dropped.load(ordering: .relaxed)
        log("redis streams: lost Redis at \(writer.configuration.endpoint) (\(error)); entries are dropped and counted until it is back, retried every second")
    }

    /// Waits for the queued entries, then ends the thread.
    public func stop() {
        thread.stop()
    }

    public var statusJSON: String {
        let refusal = lastRefusal.withLock { $0 }
        return #"{"published":\#(published.load(ordering: .relaxed)),"dropped":\#(dropped.load(ordering: .relaxed)),"failures":\#(failures.load(ordering: .relaxed)),"maxlen":\#(maxLength),"last_refusal":\#(refusal.isEmpty ? "null" : refusal.jsonQuoted)}"#
    }
}
