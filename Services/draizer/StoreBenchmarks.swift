import DraizerCore
import Foundation
import PostgresStore
import RedisBus

/// Benchmarks of the slow fan-out paths against real servers.
enum StoreBenchmarks {
    /// XADD on one connection → XREADGROUP (blocking) on another thread's connection, one message
    /// in flight; the consumer measures now − the producer's timestamp.
    static func redis(url: String?, messages: Int) -> BenchResult {
        let name = "redis.xadd_xreadgroup"
        guard let url else { return skipped(name, unit: "ns", reason: "REDIS_URL not set") }
        do {
            let configuration = try RedisConfiguration(url: url)
            let producer = try RedisConnection(configuration: configuration)
            let stream = "draizer.bench.\(getpid())"
            defer { _ = try? producer.del(keys: [stream]) }
            try producer.xgroupCreate(stream: stream, group: "bench", startId: "$")

            let warmup = 200
            let total = warmup + messages
            let received = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            let box = LatencyBox()
            let consumer = Thread {
                defer { finished.signal() }
                do {
                    let connection = try RedisConnection(configuration: configuration)
                    var seen = 0
                    while seen < total {
                        let batches = try connection.xreadgroup(
                            group: "bench", consumer: "c", streams: [(stream, ">")], count: 16, blockMillis: 2000)
                        let now = MonotonicClock.now()
                        for entry in batches.flatMap(\.entries) {
                            if seen >= warmup, let sent = Int64(entry.fields["t"] ?? "") { box.samples.append(Double(now - sent)) }
                            try connection.xack(stream: stream, group: "bench", ids: [entry.id])
                            seen += 1
                            received.signal()
                        }
                        if batches.isEmpty { break }
                    }
                } catch {
                    box.failure = "\(error)"
                    received.signal()
                }
            }
            consumer.start()
            for _ in 0..<total {
                try producer.xadd(stream: stream, maxLength: 10_000, fields: ["t": String(MonotonicClock.now())])
                if received.wait(timeout: .now() + 3) == .timedOut || box.failure != nil { break }
            }
            _ = finished.wait(timeout: .now() + 5)
            if let failure = box.failure { return skipped(name, unit: "ns", reason: failure) }
            var samples = SampleSet()
            let chunk = max(box.samples.count / 7, 1)
            for (index, sample) in box.samples.enumerated() {
                samples.add(sample)
                if (index + 1) % chunk == 0 {
                    let slice = box.samples[(index + 1 - chunk)...index]
                    samples.endRun(mean: slice.reduce(0, +) / Double(chunk))
                }
            }
            return samples.result(name, allocsPerOp: nil)
        } catch {
            return skipped(name, unit: "ns", reason: "\(error)")
        }
    }

    /// COPY FROM STDIN of 200,000 five-column rows into a temporary table, per run.
    static func postgresCopy(url: String?, runs: Int) -> BenchResult {
        let name = "postgres.copy"
        do {
            let configuration = try PostgresConfiguration(connectionString: url ?? "")
            let connection = try PostgresConnection(configuration: configuration)
            try connection.query(
                "CREATE TEMP TABLE draizer_bench_copy (ts bigint, symbol integer, price numeric, quantity numeric, note text)")
            let rowCount = 200_000
            let rows: [[String?]] = (0..<rowCount).map { index in
                [String(1_700_000_000_000 + index), String(index % 500), "65000.\(index % 100)", "0.\(index % 1000 + 1)", nil]
            }
            var samples = SampleSet()
            for _ in 0..<runs {
                try connection.query("TRUNCATE draizer_bench_copy")
                let start = MonotonicClock.now()
                let stored = try connection.copyIn(
                    table: "draizer_bench_copy", columns: ["ts", "symbol", "price", "quantity", "note"], rows: rows)
                let seconds = Double(MonotonicClock.now() - start) / 1e9
                let rate = Double(stored) / seconds
                samples.add(rate)
                samples.endRun(mean: rate)
            }
            var result = samples.result(name, unit: "rows/s", allocsPerOp: nil)
            result.p99 = nil
            result.p999 = nil
            return result
        } catch {
            return skipped(name, unit: "rows/s", reason: "\(error)")
        }
    }

    static func skipped(_ name: String, unit: String, reason: String) -> BenchResult {
        BenchResult(bench: name, unit: unit, median: nil, p50: nil, p99: nil, p999: nil, allocsPerOp: nil, note: "skipped: \(reason)")
    }
}

/// Written by the consumer thread only, read after it signalled `finished`.
private final class LatencyBox: @unchecked Sendable {
    // @unchecked Sendable: one writer thread; the reader reads only after the writer's final
    // semaphore signal, which orders the writes before the reads.
    var samples: [Double] = []
    var failure: String?
}
