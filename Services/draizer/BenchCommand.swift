import ArgumentParser
import CAllocCounter
import CDraizerShim
import DraizerCore
import FastPath
#if canImport(Glibc)
import Glibc
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (one JSON line per benchmark on stdout).",
        subcommands: [FastPathBench.self, ParseBench.self, SignBench.self, GatewayBench.self, DetectorBench.self, MachineBench.self])
}

struct FastPathBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fastpath",
        abstract: "Shared-memory, Redis and PostgreSQL hot-path benchmarks.",
        discussion: """
            seqlock.write, seqlock.read, ring.pushpop: in-process, ns per operation.
            handoff.busypoll, handoff.futex: one-way latency to a consumer in another process.
              The busy-poll pair is pinned to CPUs 0 and 1 (a spinning consumer owns a core); the
              futex pair is left to the scheduler unless --pin-futex (a consumer pinned to a halted
              vCPU waits for that vCPU to wake: ~12.5 µs instead of ~3.3 µs on a 2-vCPU VM).
            redis.xadd_xreadgroup: XADD → XREADGROUP one-way latency (needs REDIS_URL).
            postgres.copy: COPY FROM STDIN throughput (needs DATABASE_URL or PG* variables).
            Build with -c release: a debug build is 25-200x slower.
            """)

    @Option(help: "Runs per benchmark (the median over runs is reported).") var runs: Int = 7
    @Option(help: "Only benchmarks whose name starts with one of these (comma separated).") var only: String?
    @Option(help: "Redis URL (default: env REDIS_URL).") var redisURL: String?
    @Option(help: "PostgreSQL URL (default: env DATABASE_URL).") var databaseURL: String?
    @Flag(help: "Do not pin the busy-poll handoff processes to separate CPUs.") var noPin = false
    @Flag(help: "Also pin the futex handoff processes (on VMs this adds the halted vCPU's wake-up time).") var pinFutex = false

    static let benchmarks = [
        "seqlock.write", "seqlock.read", "ring.pushpop", "handoff.busypoll", "handoff.futex", "redis.xadd_xreadgroup", "postgres.copy",
    ]

    func run() throws {
        guard runs > 0 else { throw CommandFailure("--runs: expected at least 1, was \(runs)") }
        let selection = try BenchSelection(only: only, known: Self.benchmarks)
        BenchLeftovers.sweep()
        func selected(_ name: String) -> Bool { selection.contains(name) }
        let names = try SegmentNames(prefix: "draizer-bench-\(getpid())")
        defer { names.existing().forEach { try? SharedMemorySegment.unlink(name: $0) } }
        let micro = MicroBenchmarks(names: names, runs: runs)
        if selected("seqlock.write") { emit(try micro.seqlockWrite()) }
        if selected("seqlock.read") { emit(try micro.seqlockRead()) }
        if selected("ring.pushpop") { emit(try micro.ringPushPop()) }
        if selected("handoff.busypoll") {
            emit(try HandoffBenchmark(names: names, pin: !noPin).run(mode: .busyPoll, messages: 20_000))
        }
        if selected("handoff.futex") {
            emit(try HandoffBenchmark(names: names, pin: pinFutex).run(mode: .futex, messages: 4_000))
        }
        if selected("redis.xadd_xreadgroup") {
            emit(StoreBenchmarks.redis(url: redisURL ?? Environment.value("REDIS_URL"), messages: 3_000))
        }
        if selected("postgres.copy") {
            emit(StoreBenchmarks.postgresCopy(url: databaseURL ?? Environment.value("DATABASE_URL"), runs: min(runs, 5)))
        }
    }

    func emit(_ result: BenchResult) {
        printLine(result.jsonLine)
    }
}

/// In-process benchmarks of the shared-memory primitives.
struct MicroBenchmarks {
    let names: SegmentNames
    let runs: Int
    let batch = 1000
    let batchesPerRun = 2000

    /// Times `batchesPerRun` batches of `batch` calls of `operation` per run.
    func measure(_ name: String, _ operation: (Int) -> Void) -> BenchResult {
        var samples = SampleSet()
        samples.reserve(runs * batchesPerRun)
        for index in 0..<(batch * 200) { operation(index) }  // warm-up
        let allocationsBefore = drz_alloc_count()
        for _ in 0..<runs {
            var total: Int64 = 0
            for _ in 0..<batchesPerRun {
                let start = MonotonicClock.now()
                for index in 0..<batch { operation(index) }
                let elapsed = MonotonicClock.now() - start
                total += elapsed
                samples.add(Double(elapsed) / Double(batch))
            }
            samples.endRun(mean: Double(total) / Double(batch * batchesPerRun))
        }
        let operations = Double(runs * batchesPerRun * batch)
        return samples.result(name, allocsPerOp: Double(drz_alloc_count() &- allocationsBefore) / operations)
    }

    func seqlockWrite() throws -> BenchResult {
        let store = try PriceStore.attachOrCreate(names: names, symbolCapacity: 16)
        var top = TopOfBook()
        top.priceScale = 2
        top.verified = true
        return measure("seqlock.write") { index in
            top.bidPrice = Int64(index)
            top.askPrice = Int64(index) + 1
            store.publish(slot: 0, top: top)
        }
    }

    func seqlockRead() throws -> BenchResult {
        let store = try PriceStore.attachOrCreate(names: names, symbolCapacity: 16)
        var top = TopOfBook()
        top.bidPrice = 1
        top.askPrice = 2
        store.publish(slot: 1, top: top)
        var copy = TopOfBook()
        var checksum: Int64 = 0
        let result = measure("seqlock.read") { _ in
            _ = store.readTop(slot: 1, into: &copy)
            checksum &+= copy.askPrice
        }
        if checksum == 42 { print("") }  // keeps the reads observable to the optimiser
        return result
    }

    func ringPushPop() throws -> BenchResult {
        let name = names.ring("bench.pushpop")
        _ = try SPSCRing.create(name: name, capacity: 1024, of: UpdateNotice.self)
        let producer = try RingProducer<UpdateNotice>(name: name)
        let consumer = try RingConsumer<UpdateNotice>(name: name)
        let source = SourceId(exchange: .binance, market: .spot)
        var checksum: Int64 = 0
        let result = measure("ring.pushpop") { index in
            _ = producer.tryPush(UpdateNotice(symbol: SymbolId(index & 1023), source: source, kind: 0, tsReceivedNanos: Int64(index)))
            checksum &+= consumer.tryPop()?.tsReceivedNanos ?? 0
        }
        if checksum == 42 { print("") }
        return result
    }
}
