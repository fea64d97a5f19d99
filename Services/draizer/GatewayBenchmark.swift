import ArgumentParser
import DraizerCore
import FastPath
import Foundation
import ServiceKit
import CDraizerShim

/// `draizer bench gateway`: real venue-sim and market-gateway processes over loopback sockets.
struct GatewayBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Gateway benchmarks against venue-sim (one JSON line each).",
        discussion: """
            gateway.frame_to_shm.<exchange>: frame received → entry published in shared memory
              (and its notice pushed), measured inside the gateway over a steady window of
              venue-sim's normal market at --rate updates/s per symbol and source; ns.
            gateway.stress_frames_per_s: frames per second one Binance gateway takes from venue-sim
              in stress mode (top-of-book frames as fast as the socket drains, plus the normal
              market); venue-sim and the gateway pinned to different CPUs unless --no-pin.
            gateway.rss_mb: resident memory (VmRSS) of each gateway after its window (max over
              exchanges; each one in the note). The price store is created first, as ops/run.sh
              does, so it counts only the pages a gateway maps.
            Build with -c release; venue-sim and market-gateway are taken from beside this binary.
            """)

    @Option(help: "Seconds measured per window (after the books are live and a warm-up second).") var seconds = 5.0
    @Option(help: "Updates per second per symbol and source in the latency windows.") var rate = 100.0
    @Option(help: "Exchanges for the latency windows (comma separated).") var exchanges = "binance,bybit,okx,gateio,mexc"
    @Option(help: "Only benchmarks whose name starts with one of these (comma separated).") var only: String?
    @Flag(help: "Do not pin venue-sim and the gateway to separate CPUs in the stress window.") var noPin = false

    static let benchmarks = Exchange.allCases.map { "gateway.frame_to_shm.\($0.name)" } + ["gateway.stress_frames_per_s", "gateway.rss_mb"]

    func run() throws {
        guard seconds > 0, rate > 0 else { throw CommandFailure("--seconds and --rate must be positive") }
        let selection = try BenchSelection(only: only, known: Self.benchmarks)
        func selected(_ name: String) -> Bool { selection.touches(name) }
        let venues = try exchanges.split(separator: ",").map { name -> Exchange in
            guard let exchange = Exchange(name: String(name)) else { throw CommandFailure("--exchanges: unknown exchange \(name)") }
            return exchange
        }
        guard !venues.isEmpty else { throw CommandFailure("--exchanges: expected at least one of binance, bybit, okx, mexc, gateio, was none") }
        BenchLeftovers.sweep()
        var rss: [(window: String, megabytes: Double)] = []
        if selected("gateway.frame_to_shm") || selected("gateway.rss_mb") {
            let bench = try GatewayBenchmark(scenario: #"{"updatesPerSecond":\#(rate)}"#, stress: false, pin: false)
            defer { bench.stop() }
            // `--only gateway.frame_to_shm.okx` measures OKX alone (gateway.rss_mb needs every window).
            let measured = selection.contains("gateway.rss_mb") ? venues : venues.filter { selection.contains("gateway.frame_to_shm.\($0.name)") }
            for exchange in measured {
                let window = try bench.measure(exchange, seconds: seconds)
                rss.append((exchange.name, window.rssMegabytes))
                if selection.contains("gateway.frame_to_shm.\(exchange.name)") {
                    printLine(
                        BenchResult(
                            bench: "gateway.frame_to_shm.\(exchange.name)", unit: "ns", median: window.p50, p50: window.p50, p99: window.p99,
                            p999: window.p999, allocsPerOp: nil,
                            note: "\(window.frames) frames in \(seconds) s, \(window.published) published; max \(Int(window.max)) ns; "
                                + "\(window.afterQuiet.count) of them after ≥ 1 ms of quiet on their connection: p50 "
                                + "\(GatewayBenchmark.nanos(window.afterQuiet.p50)) ns, p99 \(GatewayBenchmark.nanos(window.afterQuiet.p99)) ns; "
                                + "top-of-book frames \(window.topOfBook.count): p50 \(GatewayBenchmark.nanos(window.topOfBook.p50)) ns, p99 "
                                + "\(GatewayBenchmark.nanos(window.topOfBook.p99)) ns; depth frames \(window.depth.count): p50 "
                                + "\(GatewayBenchmark.nanos(window.depth.p50)) ns, p99 \(GatewayBenchmark.nanos(window.depth.p99)) ns"
                        ).jsonLine)
                }
            }
        }
        if selected("gateway.stress_frames_per_s") {
            let bench = try GatewayBenchmark(scenario: #"{"updatesPerSecond":20}"#, stress: true, pin: !noPin)
            defer { bench.stop() }
            let window = try bench.measure(.binance, seconds: seconds)
            let perSecond = Double(window.frames) / window.elapsedSeconds
            printLine(
                BenchResult(
                    bench: "gateway.stress_frames_per_s", unit: "msgs/s", median: perSecond, p50: nil, p99: nil, p999: nil, allocsPerOp: nil,
                    note: "binance gateway, \(window.frames) frames in \(String(format: "%.2f", window.elapsedSeconds)) s, "
                        + "gaps \(window.gaps), parse errors \(window.parseErrors); frame→shm p50 \(Int(window.p50 ?? 0)) ns, "
                        + "p99 \(Int(window.p99 ?? 0)) ns; rss \(String(format: "%.1f", window.rssMegabytes)) MB; "
                        + (noPin ? "not pinned" : "gateway on CPU 0, venue-sim on CPU 1")
                ).jsonLine)
            rss.append(("binance under stress", window.rssMegabytes))
        }
        if selected("gateway.rss_mb"), let largest = rss.map(\.megabytes).max() {
            let each = rss.map { "\($0.window) \(String(format: "%.1f", $0.megabytes))" }.joined(separator: ", ")
            printLine(
                BenchResult(
                    bench: "gateway.rss_mb", unit: "MB", median: largest, p50: nil, p99: nil, p999: nil, allocsPerOp: nil,
                    note: "VmRSS after each window: \(each)"
                ).jsonLine)
        }
    }
}

/// One venue-sim, one universe discovered from it, and gateways started one at a time.
final class GatewayBenchmark {
    struct Window {
        var frames: UInt64
        var elapsedSeconds: Double
        var published: UInt64
        var p50: Double?
        var p99: Double?
        var p999: Double?
        var max: Double
        var gaps: UInt64
        var parseErrors: UInt64
        var rssMegabytes: Double
        /// The frames after ≥ 1 ms of quiet on their connection: how many, p50 and p99.
        var afterQuiet: (count: Int, p50: Double?, p99: Double?) = (0, nil, nil)
        /// The frames that carried a best bid/ask, and those that carried depth.
        var topOfBook: (count: Int, p50: Double?, p99: Double?) = (0, nil, nil)
        var depth: (count: Int, p50: Double?, p99: Double?) = (0, nil, nil)
    }

    let sim: ChildProcess
    let simURL: String
    let directory: String
    let prefix: String
    let pin: Bool
    /// The CPU gateways are pinned to when pinning (venue-sim takes CPU 1).
    let gatewayCPU: Int

    /// Beside this executable (`swift build` puts every product in one folder).
    static func sibling(_ name: String) -> String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(name).path
    }

    init(scenario: String, stress: Bool, pin: Bool, gatewayCPU: Int = 0) throws {
        self.pin = pin && Int(drz_available_cpus()) >= 2
        self.gatewayCPU = gatewayCPU
        prefix = "draizer-gwbench-\(getpid())-\(stress ? "s" : "l")"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let scenarioPath = "\(directory)/scenario.json"
        try scenario.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        var arguments = ["--port", "0", "--scenario", scenarioPath]
        if stress { arguments.append("--stress") }
        if self.pin { arguments += ["--cpu", "1"] }
        sim = try ChildProcess(executable: Self.sibling("venue-sim"), arguments: arguments, output: .pipe)
        guard let line = sim.readLine(timeoutMillis: 20_000), let range = line.range(of: "http://127.0.0.1:") else {
            throw CommandFailure("venue-sim did not start (\(Self.sibling("venue-sim")))")
        }
        simURL = "http://127.0.0.1:\(line[range.upperBound...].prefix(while: \.isNumber))"
        // As in ops/run.sh, the store exists before any gateway starts (`draizer shm create`): its
        // creator pre-faults all of it, and a gateway then maps only the pages it writes.
        let names = try SegmentNames(prefix: prefix)
        _ = try PriceStore.create(names: names, symbolCapacity: 4096)
        _ = try ControlSegment.create(names: names)
        let discover = try ChildProcess(
            executable: Self.sibling("draizer"), arguments: ["discover", "--sim-url", simURL, "--out", directory], output: .discard)
        guard discover.wait() == 0 else { throw CommandFailure("draizer discover against venue-sim failed") }
    }

    func stop() {
        _ = sim.terminate(graceMillis: 2000)
        for name in (try? SegmentNames(prefix: prefix).existing()) ?? [] { try? SharedMemorySegment.unlink(name: name) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts `exchange`'s gateway (pinned to `gatewayCPU` when pinning) and waits until every book is
    /// verified; returns it and its control socket.
    func startGateway(_ exchange: Exchange, extra: [String] = []) throws -> (ChildProcess, String) {
        let socket = "/tmp/\(prefix)-\(exchange.name).sock"
        var arguments = [
            "--exchange", exchange.name, "--universe", "\(directory)/universe.json", "--sim-url", simURL, "--shm-prefix", prefix,
            "--control-socket", socket,
        ] + extra
        if pin { arguments += ["--cpu", String(gatewayCPU)] }
        let gateway = try ChildProcess(executable: Self.sibling("market-gateway"), arguments: arguments, output: .discard)
        let live = Date().addingTimeInterval(30)
        while true {
            if let status = try? ServiceStatus.fetch(socket), Self.allVerified(status) { break }
            guard Date() < live, gateway.isRunning else {
                _ = gateway.terminate(graceMillis: 2000)
                throw CommandFailure("\(exchange.name) gateway: books not verified within 30 s")
            }
            usleep(100_000)
        }
        return (gateway, socket)
    }

    /// Starts `exchange`'s gateway, waits until every book is verified, warms up a second, then
    /// measures `seconds` and stops it.
    func measure(_ exchange: Exchange, seconds: Double) throws -> Window {
        // Without Redis: its once-a-second samples are off the measured path, and no Redis need run.
        let (gateway, socket) = try startGateway(exchange, extra: ["--no-redis"])
        defer { _ = gateway.terminate(graceMillis: 2000) }
        usleep(1_000_000)
        _ = try ControlSocketServer.request(path: socket, command: "reset")
        let before = try ServiceStatus.fetch(socket)
        let started = Date()
        usleep(UInt32(seconds * 1_000_000))
        let after = try ServiceStatus.fetch(socket)
        let elapsed = Date().timeIntervalSince(started)
        let latency = after["frame_to_shm_ns"] as? [String: Any] ?? [:]
        func number(_ key: String) -> Double? { (latency[key] as? NSNumber)?.doubleValue }
        return Window(
            frames: Self.total(after, "frames") - Self.total(before, "frames"), elapsedSeconds: elapsed,
            published: UInt64(number("count") ?? 0), p50: number("p50"), p99: number("p99"), p999: number("p999"), max: number("max") ?? 0,
            gaps: Self.total(after, "gaps") - Self.total(before, "gaps"),
            parseErrors: Self.total(after, "parse_errors") - Self.total(before, "parse_errors"), rssMegabytes: Self.rssMegabytes(gateway.pid),
            afterQuiet: Self.afterQuiet(after), topOfBook: Self.byFrame(after, "top_of_book"), depth: Self.byFrame(after, "depth"))
    }

    /// A latency read from a status, for a note ("-" when there was none).
    static func nanos(_ value: Double?) -> String { value.map { String(Int($0)) } ?? "-" }

    /// The status's latency of frames that came after a quiet spell: count, p50, p99.
    static func afterQuiet(_ status: [String: Any]) -> (count: Int, p50: Double?, p99: Double?) {
        summary(status["frame_to_shm_after_quiet_ns"])
    }

    /// The status's latency of the frames that carried `kind` ("top_of_book" or "depth").
    static func byFrame(_ status: [String: Any], _ kind: String) -> (count: Int, p50: Double?, p99: Double?) {
        summary((status["frame_to_shm_by_frame_ns"] as? [String: Any])?[kind])
    }

    /// A latency object's count, p50 and p99.
    static func summary(_ object: Any?) -> (count: Int, p50: Double?, p99: Double?) {
        let latency = object as? [String: Any] ?? [:]
        func number(_ key: String) -> Double? { (latency[key] as? NSNumber)?.doubleValue }
        return (Int(number("count") ?? 0), number("p50"), number("p99"))
    }

    static func sources(_ status: [String: Any]) -> [[String: Any]] {
        (status["sources"] as? [String: Any] ?? [:]).values.compactMap { $0 as? [String: Any] }
    }

    static func allVerified(_ status: [String: Any]) -> Bool {
        let sources = sources(status)
        return !sources.isEmpty && sources.allSatisfy { ($0["verified"] as? Int ?? -1) == ($0["instruments"] as? Int ?? -2) }
    }

    static func total(_ status: [String: Any], _ key: String) -> UInt64 {
        sources(status).reduce(0) { $0 + ((($1[key] as? NSNumber)?.uint64Value) ?? 0) }
    }

    /// VmRSS of a process, in MB (from /proc).
    static func rssMegabytes(_ pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }
}
