import ArgumentParser
import CAllocCounter
import CDraizerShim
import DraizerCore
import FastPath
import Foundation
import ServiceKit
import Strategies

/// `draizer bench detector`: the detector's hot path in process, and tick-to-decision with real
/// venue-sim, gateways and detector processes.
struct DetectorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Opportunity-detector benchmarks (one JSON line each).",
        discussion: """
            detector.evaluate: one price update, all directions of its (symbol, source) — 4 symbols ×
              10 sources, 180 directions (the main job's universe), no candidate; ns per update,
              clock read included.
            detector.evaluate_emit: the same with one candidate per update: both books' levels read,
              sized, the record built.
            detector.updates_per_s: notices pushed by another thread through a ring as fast as it can,
              drained and evaluated; updates per second.
            detector.tick_to_decision: gateway frame received → opportunity in the executor ring, with
              venue-sim, the five gateways and the detector running and a dislocation every 0.5 s; ns.
            Build with -c release.
            """)

    @Option(help: "Runs per in-process benchmark (the median is reported).") var runs = 7
    @Option(help: "Seconds of dislocations in the tick-to-decision window.") var seconds = 20.0
    @Option(help: "Detector wait mode in the tick-to-decision window: busy or futex.") var wait = "futex"
    @Option(help: "venue-sim book updates per second per (symbol, source) in the tick-to-decision window.") var rate = 40.0
    @Flag(help: "Do not pin in the tick-to-decision window (default: the detector alone on CPU 0, the rest on CPU 1).") var noPin = false
    @Option(help: "Only benchmarks whose name starts with one of these (comma separated).") var only: String?

    static let benchmarks = ["detector.evaluate", "detector.evaluate_emit", "detector.updates_per_s", "detector.tick_to_decision"]

    func run() throws {
        guard runs > 0, seconds > 0, rate > 0, rate <= 100_000 else {
            throw CommandFailure("--runs and --seconds must be positive, --rate within 0 < rate ≤ 100000")
        }
        let selection = try BenchSelection(only: only, known: Self.benchmarks)
        func selected(_ name: String) -> Bool { selection.contains(name) }
        BenchLeftovers.sweep()
        let names = try SegmentNames(prefix: "draizer-detbench-\(getpid())")
        defer { names.existing().forEach { try? SharedMemorySegment.unlink(name: $0) } }
        let bench = try InProcessDetectorBench(names: names)
        if selected("detector.evaluate") { printLine(bench.evaluate(runs: runs, candidate: false).jsonLine) }
        if selected("detector.evaluate_emit") { printLine(bench.evaluate(runs: runs, candidate: true).jsonLine) }
        if selected("detector.updates_per_s") { printLine(try bench.throughput(names: names, runs: runs).jsonLine) }
        if selected("detector.tick_to_decision") { printLine(try tickToDecision().jsonLine) }
    }

    func tickToDecision() throws -> BenchResult {
        // A dislocation every 0.5 s from t = 8 s, rotating symbols and sell sources, each decaying
        // in 0.3 s so its tracks converge and the directions may signal again.
        let symbols = ["BTC-USDT", "DOGE-USDT", "ETH-USDT", "SOL-USDT"]
        let count = Int(seconds * 2)
        let dislocations = (0..<count).map { index in
            let source = SourceId.all[index % SourceId.count].name
            return #"{"atSeconds":\#(8 + Double(index) * 0.5),"symbol":"\#(symbols[index % 4])","source":"\#(source)","bps":40,"decaySeconds":0.3,"side":"bid"}"#
        }
        // The deployment the detector is built for: a core of its own. venue-sim, the gateways and
        // this process share the other one.
        let pinned = !noPin && drz_available_cpus() >= 2
        if pinned { _ = drz_pin_current_thread(1) }
        defer { if pinned { _ = drz_pin_current_thread(-1) } }
        let bench = try GatewayBenchmark(
            scenario: #"{"updatesPerSecond":\#(rate),"dislocations":[\#(dislocations.joined(separator: ","))]}"#, stress: false, pin: pinned,
            gatewayCPU: 1)
        defer { bench.stop() }
        var gateways: [(process: ChildProcess, socket: String)] = []
        defer { gateways.forEach { _ = $0.process.terminate(graceMillis: 2000) } }
        for exchange in Exchange.allCases { gateways.append(try bench.startGateway(exchange, extra: ["--no-redis"])) }
        let config = "\(bench.directory)/detector.json"
        try #"{"entryBps":10,"exitBps":2,"cooldownMillis":0,"trackIntervalMillis":50}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let socket = ControlSocketServer.defaultPath(prefix: bench.prefix, service: "detector")
        let detector = try ChildProcess(
            executable: GatewayBenchmark.sibling("opportunity-detector"),
            arguments: [
                "--universe", "\(bench.directory)/universe.json", "--config", config, "--shm-prefix", bench.prefix, "--wait", wait,
                "--no-redis", "--tracks-dir", "\(bench.directory)/tracks", "--control-socket", socket,
            ] + (pinned ? ["--cpu", "0"] : []),
            output: .discard)
        defer { _ = detector.terminate(graceMillis: 2000) }
        // The executor's place: drain the opportunities ring so it never fills.
        var consumer: RingConsumer<OpportunityRecord>?
        let until = Date().addingTimeInterval(8 + seconds + 1)
        var taken = 0
        while Date() < until {
            if consumer == nil { consumer = try? RingConsumer<OpportunityRecord>(name: SegmentNames(prefix: bench.prefix).ring("opportunities")) }
            while consumer?.tryPop() != nil { taken += 1 }
            usleep(5_000)
        }
        // Each gateway's own share: frame received → entry and notice published.
        let gatewayShares = zip(Exchange.allCases, gateways).map { exchange, gateway in
            let status = (try? ServiceStatus.fetch(gateway.socket)) ?? [:]
            let latency = status["frame_to_shm_ns"] as? [String: Any] ?? [:]
            let quiet = GatewayBenchmark.afterQuiet(status)
            let quotes = GatewayBenchmark.byFrame(status, "top_of_book")
            return "\(exchange.name) \(latency["p50"] ?? "-")/\(latency["p99"] ?? "-") (top of book \(GatewayBenchmark.nanos(quotes.p50))/"
                + "\(GatewayBenchmark.nanos(quotes.p99)), after quiet \(GatewayBenchmark.nanos(quiet.p50))/\(GatewayBenchmark.nanos(quiet.p99)))"
        }
        let text = try ControlSocketServer.request(path: socket, command: "status")
        let status = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        let latency = status["tick_to_decision_ns"] as? [String: Any] ?? [:]
        func number(_ key: String) -> Double? { (latency[key] as? NSNumber)?.doubleValue }
        func split(_ key: String) -> String {
            let part = status[key] as? [String: Any] ?? [:]
            return "p50 \(part["p50"] ?? "-") ns, p99 \(part["p99"] ?? "-") ns"
        }
        let byFrame = status["tick_to_decision_by_frame_ns"] as? [String: Any] ?? [:]
        func decidedOn(_ key: String) -> String {
            let part = byFrame[key] as? [String: Any] ?? [:]
            return "\(part["count"] ?? 0) (p50 \(part["p50"] ?? "-") ns, p99 \(part["p99"] ?? "-") ns)"
        }
        let stalls = status["loop_stalls"] as? [String: Any] ?? [:]
        let slow = status["tick_over_10us"] as? [String: Any] ?? [:]
        let tail = "over 10 µs: \(slow["count"] ?? 0) opportunities — \(slow["detector_cpu_away"] ?? 0) taken right after the detector's CPU "
            + "had been away, \(slow["before_notice"] ?? 0) reaching the detector that late, \(slow["in_decision"] ?? 0) in the decision; "
            + "the detector's loop lost its CPU ≥ 10 µs \(stalls["count"] ?? 0) times (\(stalls["lost_ns"] ?? 0) ns in all, longest "
            + "\(stalls["longest_ns"] ?? 0) ns)"
        let setup = "5 gateways + venue-sim (\(rate) updates/s per book) + detector (--wait \(wait)) "
            + (pinned ? "with the detector alone on CPU 0 and the rest on CPU 1" : "unpinned")
        let shares = "frame received → notice taken: every 16th notice \(split("notice_age_at_pop_ns")), "
            + "the opportunities' notices \(split("frame_to_pop_ns")) "
            + "(each gateway's frame → published over all its frames, its top-of-book frames, and those after ≥ 1 ms of quiet on their connection, p50/p99 ns: "
            + "\(gatewayShares.joined(separator: ", "))); "
            + "notice taken → decision \(split("pop_to_decision_ns")), → the notice's first decision \(split("pop_to_first_decision_ns")), a later decision after the one before it \(split("decision_gap_ns"))"
        return BenchResult(
            bench: "detector.tick_to_decision", unit: "ns", median: number("p50"), p50: number("p50"), p99: number("p99"), p999: nil,
            allocsPerOp: nil,
            note: "\(Int(number("count") ?? 0)) opportunities (\(taken) taken from the ring), max \(Int(number("max") ?? 0)) ns; "
                + "decided on a top-of-book frame \(decidedOn("top_of_book")), on a depth frame \(decidedOn("depth")); \(setup); "
                + "\(status["updates"] ?? 0) updates evaluated; \(shares); \(tail)")
    }
}

/// A price store with the main job's shape (4 symbols × 10 sources, 180 directions) and books that
/// never clear the edge, unless asked for one candidate per update.
struct InProcessDetectorBench {
    let store: PriceStore
    let universe: Universe

    init(names: SegmentNames) throws {
        store = try PriceStore.create(names: names, symbolCapacity: 16)
        // Only this process maps it: unlinked now, so a run cut short (Ctrl-C, a closed pipe)
        // leaves nothing in /dev/shm.
        try? SharedMemorySegment.unlink(name: names.prices)
        let bases = ["BTC", "DOGE", "ETH", "SOL"]
        let symbols = bases.enumerated().map { SymbolInfo(id: SymbolId($0.offset), base: $0.element, quote: "USDT") }
        var instruments: [Instrument] = []
        var directions: [Direction] = []
        for symbol in symbols {
            for source in SourceId.all {
                instruments.append(
                    Instrument(
                        symbol: symbol.id, source: source, exchangeSymbol: "\(symbol.base)USDT", tickSize: Price("0.01"),
                        stepSize: Quantity("0.001"), minQuantity: Quantity("0.001"), minNotional: ExactDecimal(5),
                        contractSize: ExactDecimal(1)))
            }
            let spots = SourceId.all.filter { $0.market == .spot }
            let perps = SourceId.all.filter { $0.market == .perp }
            for buy in spots {
                for sell in spots where sell != buy { directions.append(Direction(kind: .spotSpot, symbol: symbol.id, buy: buy, sell: sell)) }
                for sell in perps { directions.append(Direction(kind: .spotPerp, symbol: symbol.id, buy: buy, sell: sell)) }
            }
        }
        universe = try Universe(symbols: symbols, instruments: instruments, directions: directions)
    }

    /// Every book 100.00 / 100.01 with 8 levels; with `candidate`, bybit/perp's bid is 1 % higher.
    func publishBooks(candidate: Bool) {
        for instrument in universe.instruments {
            var book = BookSnapshot()
            book.top.priceScale = 2
            book.top.quantityScale = 3
            book.top.verified = true
            book.top.tsReceivedNanos = MonotonicClock.now()
            let lift: Int64 = candidate && instrument.source == SourceId(exchange: .bybit, market: .perp) ? 100 : 0
            for level in 0..<8 {
                book.bids[level] = BookLevel(price: 10_000 + lift - Int64(level), quantity: 5_000)
                book.asks[level] = BookLevel(price: 10_001 + lift + Int64(level), quantity: 5_000)
            }
            book.bidCount = 8
            book.askCount = 8
            store.publish(slot: store.slot(symbol: instrument.symbol, source: instrument.source)!, book: book)
        }
    }

    func detector(cooldown: Int) -> SpreadDetector {
        var config = DetectorConfig()
        config.maxPriceAgeMillis = 3_600_000  // books are published once; keep them fresh for the run
        config.cooldownMillis = cooldown
        return SpreadDetector(store: store, universe: universe, config: config)
    }

    func evaluate(runs: Int, candidate: Bool) -> BenchResult {
        // One CPU for the whole measurement: migrations between vCPUs add their own noise.
        let pinned = drz_available_cpus() >= 2 && drz_pin_current_thread(0) == 0
        defer { if pinned { _ = drz_pin_current_thread(-1) } }
        publishBooks(candidate: candidate)
        let detector = detector(cooldown: 0)
        let bybitPerp = SourceId(exchange: .bybit, market: .perp)
        let notices = universe.instruments
            .filter { !candidate || $0.source == bybitPerp }
            .map { UpdateNotice(symbol: $0.symbol, source: $0.source, kind: 1, tsReceivedNanos: 0) }
        var emitted = 0
        let batch = 1000
        var samples = SampleSet()
        for index in 0..<(batch * 50) {
            detector.evaluate(notices[index % notices.count], now: MonotonicClock.now()) { _ in emitted += 1 }
        }
        let allocationsBefore = drz_alloc_count()
        var position = 0
        for _ in 0..<runs {
            var total: Int64 = 0
            for _ in 0..<500 {
                let start = MonotonicClock.now()
                for _ in 0..<batch {
                    detector.evaluate(notices[position], now: MonotonicClock.now()) { _ in emitted += 1 }
                    position = position + 1 == notices.count ? 0 : position + 1
                }
                let elapsed = MonotonicClock.now() - start
                total += elapsed
                samples.add(Double(elapsed) / Double(batch))
            }
            samples.endRun(mean: Double(total) / Double(batch * 500))
        }
        let evaluated = Double(runs * 500 * batch)
        var result = samples.result(
            candidate ? "detector.evaluate_emit" : "detector.evaluate",
            allocsPerOp: Double(drz_alloc_count() &- allocationsBefore) / evaluated)
        let legs = Double(detector.counters.evaluations) / Double(detector.counters.updates)
        result.note = String(format: "%.1f directions per update; ", legs)
            + (candidate
                ? String(format: "every direction a candidate, sized and emitted (%.1f emissions per update)", Double(emitted) / Double(detector.counters.updates))
                : "no candidate (\(emitted) emissions)")
        return result
    }

    /// Another thread pushes notices through a ring as fast as it can; this one drains and evaluates.
    func throughput(names: SegmentNames, runs: Int) throws -> BenchResult {
        publishBooks(candidate: false)
        let detector = detector(cooldown: 0)
        let ringName = names.ring("detbench.notices")
        _ = try SPSCRing.create(name: ringName, capacity: 65536, of: UpdateNotice.self)
        let consumer = try RingConsumer<UpdateNotice>(name: ringName)
        let notices = universe.instruments.map { UpdateNotice(symbol: $0.symbol, source: $0.source, kind: 1, tsReceivedNanos: 0) }
        let perRun = 2_000_000
        var rates: [Double] = []
        let pinning = drz_available_cpus() >= 2
        if pinning { _ = drz_pin_current_thread(0) }
        defer { if pinning { _ = drz_pin_current_thread(-1) } }
        for _ in 0..<runs {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                if pinning { _ = drz_pin_current_thread(1) }
                guard let producer = try? RingProducer<UpdateNotice>(name: ringName) else {
                    done.signal()
                    return
                }
                var index = 0
                for _ in 0..<perRun {
                    while !producer.tryPush(notices[index]) { drz_cpu_relax() }
                    index = index + 1 == notices.count ? 0 : index + 1
                }
                done.signal()
            }
            var received = 0
            let start = MonotonicClock.now()
            thread.start()
            while received < perRun {
                if let notice = consumer.tryPop() {
                    detector.evaluate(notice, now: MonotonicClock.now()) { _ in }
                    received += 1
                } else {
                    drz_cpu_relax()
                }
            }
            let elapsed = MonotonicClock.now() - start
            done.wait()
            rates.append(Double(perRun) / (Double(elapsed) / 1e9))
        }
        let sorted = rates.sorted()
        return BenchResult(
            bench: "detector.updates_per_s", unit: "msgs/s", median: sorted[sorted.count / 2], p50: nil, p99: nil, p999: nil, allocsPerOp: nil,
            note: "\(perRun) notices per run through an SPSC ring from another thread\(pinning ? " (producer CPU 1, detector CPU 0)" : ""); runs \(sorted.map { Int($0) })")
    }
}
