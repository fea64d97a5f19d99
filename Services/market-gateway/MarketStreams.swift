import BlockingCalls
import DraizerCore
import RedisBus
import Synchronization

/// One entry for a Redis stream: its name and its fields in order.
struct StreamEntry: Sendable {
    var stream: String
    var fields: [(String, String)]
}

/// The gateway's slow fan-out: sampled top of book and funding updates to bounded Redis streams
/// (`XADD … MAXLEN ~ N`), written by a thread of its own so the event loop never waits for
/// Redis. While Redis is away entries are dropped and counted (shared memory keeps the live
/// prices; the streams are samples), and reconnection is tried at most once a second.
final class MarketStreams: Sendable {
    static let bookTicker = "md.book_ticker"
    static let funding = "md.funding"

    let maxLength: Int
    /// Entries waiting for the thread beyond this are dropped rather than queued.
    let maxPending: Int
    private let thread = DedicatedThread(name: "redis-streams")
    private let writer: Writer
    private let pending = Atomic<Int>(0)
    let published = Atomic<UInt64>(0)
    let dropped = Atomic<UInt64>(0)
    let failures = Atomic<UInt64>(0)

    /// Lives on the thread: the connection and when it last failed.
    private final class Writer: @unchecked Sendable {
        // @unchecked Sendable: created before the thread runs jobs and used only by its jobs,
        // which run one at a time.
        let configuration: RedisConfiguration
        var connection: RedisConnection?
        var lastFailureNanos: Int64 = 0
        init(configuration: RedisConfiguration) { self.configuration = configuration }
    }

    init(configuration: RedisConfiguration, maxLength: Int, maxPending: Int = 10_000) {
        self.maxLength = maxLength
        self.maxPending = maxPending
        writer = Writer(configuration: configuration)
    }

    /// Hands entries to the thread; never blocks.
    func publish(_ entries: [StreamEntry]) {
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
    private func write(_ entries: [StreamEntry]) {
        if writer.connection == nil {
            guard MonotonicClock.now() - writer.lastFailureNanos > 1_000_000_000 else {
                dropped.add(UInt64(entries.count), ordering: .relaxed)
                return
            }
            do {
                writer.connection = try RedisConnection(configuration: writer.configuration)
            } catch {
                writer.lastFailureNanos = MonotonicClock.now()
                failures.add(1, ordering: .relaxed)
                dropped.add(UInt64(entries.count), ordering: .relaxed)
                return
            }
        }
        for (index, entry) in entries.enumerated() {
            do {
                try writer.connection?.xadd(stream: entry.stream, maxLength: maxLength, fieldList: entry.fields)
                published.add(1, ordering: .relaxed)
            } catch {
                failures.add(1, ordering: .relaxed)
                guard error.isRetryable else {
                    dropped.add(1, ordering: .relaxed)  // refused by the server: the next ones may pass
                    continue
                }
                // Connection lost: drop the rest of this batch and reconnect later.
                dropped.add(UInt64(entries.count - index), ordering: .relaxed)
                writer.connection = nil
                writer.lastFailureNanos = MonotonicClock.now()
                return
            }
        }
    }

    /// Waits for the queued entries, then ends the thread.
    func stop() {
        thread.stop()
    }

    var statusJSON: String {
        #"{"published":\#(published.load(ordering: .relaxed)),"dropped":\#(dropped.load(ordering: .relaxed)),"failures":\#(failures.load(ordering: .relaxed)),"maxlen":\#(maxLength)}"#
    }
}
