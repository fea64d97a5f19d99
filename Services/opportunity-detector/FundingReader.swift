import BlockingCalls
import DraizerCore
import RedisBus
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads the gateways' funding updates (Redis `md.funding`) on a thread of its own: first the
/// newest entries (the current rate of every perpetual), then new ones as they come. The
/// evaluation thread takes them with `drain()`. Redis away (or refusing the stream): retried once a
/// second; the detector goes on with the last rates it had. The first failure of a spell is
/// logged with its reason, and so is the recovery (with how long the rates were not read).
final class FundingReader: Sendable {
    struct Rate: Sendable, Equatable {
        var source: String
        var symbol: String
        var ratePerInterval: Double
        var intervalHours: Double
        var nextSettlementMillis: Int64
    }

    static let stream = "md.funding"
    let stream: String
    private let log: @Sendable (String) -> Void
    /// The last failure's reason (empty: none), for `status`.
    private let lastError = Mutex("")

    private let queue = Mutex<[Rate]>([])
    private let stopping = Atomic<Bool>(false)
    let received = Atomic<UInt64>(0)
    let failures = Atomic<UInt64>(0)
    /// Entries refused by `rate(_:)` (missing fields, a rate that is not finite or beyond ±10 %).
    let rejected = Atomic<UInt64>(0)

    /// `log` gets a line when reading starts failing and one when it works again (default: stderr).
    init(
        configuration: RedisConfiguration, stream: String = FundingReader.stream,
        log: @escaping @Sendable (String) -> Void = { writeErrorLine($0) }
    ) {
        self.stream = stream
        self.log = log
        DetachedThread.start { [self] in run(configuration) }
    }

    /// The updates read since the last call, oldest first.
    func drain() -> [Rate] {
        queue.withLock { rates in
            let taken = rates
            rates.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// Ends the thread (within its 200 ms block).
    func stop() {
        stopping.store(true, ordering: .releasing)
    }

    var statusJSON: String {
        let error = lastError.withLock { $0 }
        return #"{"received":\#(received.load(ordering: .relaxed)),"failures":\#(failures.load(ordering: .relaxed)),"rejected":\#(rejected.load(ordering: .relaxed)),"last_error":\#(error.isEmpty ? "null" : error.jsonQuoted)}"#
    }

    /// An entry's rate, or nil when it cannot be trusted: no source, symbol or rate; a rate that is
    /// not finite or beyond ±10 % per interval (venues cap funding at a few percent; a wrong
    /// entry of 0.5 would add thousands of bps to every spot→perp edge of that perpetual and
    /// signal them all); an interval or settlement time that is not a non-negative number (a
    /// missing or zero interval means the venue's usual 8 h); an interval outside 15 min – 24 h
    /// (venues settle every 1 to 8 hours; the rate cap means little over a one-second interval,
    /// whose annual rate and carry would clear every threshold).
    static func rate(_ entry: StreamEntry) -> Rate? {
        guard let source = entry.fields["source"], !source.isEmpty, let symbol = entry.fields["symbol"], !symbol.isEmpty,
            let rate = entry.fields["rate"].flatMap(Double.init), rate.isFinite, abs(rate) <= Self.maxRatePerInterval
        else { return nil }
        let intervalMillis = entry.fields["interval_ms"].map { Double($0) } ?? 0
        let nextSettlement = entry.fields["next_settlement_ms"].map { Int64($0) } ?? 0
        guard let intervalMillis, intervalMillis == 0 || Self.intervalMillisRange.contains(intervalMillis), let nextSettlement,
            nextSettlement >= 0
        else { return nil }
        return Rate(
            source: source, symbol: symbol, ratePerInterval: rate, intervalHours: intervalMillis / 3_600_000,
            nextSettlementMillis: nextSettlement)
    }

    static let maxRatePerInterval = 0.10
    static let intervalMillisRange = 900_000.0...86_400_000.0

    /// The trusted rates of `entries`, counting the others.
    private func rates(_ entries: [StreamEntry]) -> [Rate] {
        let rates = entries.compactMap(Self.rate)
        rejected.add(UInt64(entries.count - rates.count), ordering: .relaxed)
        return rates
    }

    private func run(_ configuration: RedisConfiguration) {
        var connection: RedisConnection?
        var lastId: String?
        var failingSince: Int64 = 0
        func succeeded() {
            guard failingSince != 0 else { return }
            log("funding: reading \(stream) again after \((MonotonicClock.now() - failingSince) / 1_000_000) ms")
            failingSince = 0
        }
        while !stopping.load(ordering: .acquiring) {
            do {
                if connection == nil { connection = try RedisConnection(configuration: configuration) }
                guard let redis = connection else { continue }
                if lastId == nil {
                    // Newest first: the first entry per perpetual is its current rate.
                    let newest = try redis.xrevrange(stream: stream, count: 5000)
                    succeeded()
                    var seen = Set<String>()
                    let current = rates(newest).filter { seen.insert("\($0.source)|\($0.symbol)").inserted }
                    queue.withLock { $0.append(contentsOf: current.reversed()) }
                    received.add(UInt64(current.count), ordering: .relaxed)
                    lastId = newest.first?.id ?? "0-0"
                }
                let read = try redis.xread(streams: [(stream, lastId ?? "$")], count: 1000, blockMillis: 200)
                succeeded()
                for (_, entries) in read {
                    let trusted = rates(entries)
                    queue.withLock { $0.append(contentsOf: trusted) }
                    received.add(UInt64(trusted.count), ordering: .relaxed)
                    if let last = entries.last { lastId = last.id }
                }
            } catch {
                failures.add(1, ordering: .relaxed)
                lastError.withLock { $0 = "\(error)" }
                if failingSince == 0 {
                    failingSince = MonotonicClock.now()
                    log("funding: cannot read \(stream) from Redis at \(configuration.endpoint) (\(error)); going on with the last rates, retrying every second")
                }
                connection = nil
                for _ in 0..<10 where !stopping.load(ordering: .acquiring) { usleep(100_000) }
            }
        }
    }
}
