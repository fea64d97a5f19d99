import ArgumentParser
import CDraizerShim
import DraizerCore
import FastPath
import Foundation
import RedisBus
import ServiceKit
import Strategies

/// `opportunity-detector`: every gateway update evaluated against the directions it takes part
/// in; opportunities to the executor ring and Redis; signalled spreads tracked to convergence.
@main
struct DetectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunity-detector", abstract: "Net executable edge on every price update; spreads tracked to convergence.")

    @Option(help: "Universe file written by `draizer discover`.") var universe = "generated/universe.json"
    @Option(help: "Detector configuration JSON (thresholds, sizes, fees); default: built-in values.") var config: String?
    @Option(help: "Shared-memory prefix (env DRAIZER_SHM_PREFIX).") var shmPrefix = ProcessInfo.processInfo.environment["DRAIZER_SHM_PREFIX"] ?? "draizer"
    @Option(help: "busy (spin on the rings) or futex (sleep when idle).") var wait = "futex"
    @Option(help: "Pin the evaluation thread to this CPU and keep the helper threads off it (-1 = let the scheduler choose).") var cpu = -1
    @Option(help: "Redis for the opportunities and spread.tracks streams (default: env REDIS_URL, else redis://127.0.0.1:6379).")
    var redisURL: String?
    @Flag(help: "Write no Redis streams.") var noRedis = false
    @Option(help: "Bound of each Redis stream (XADD MAXLEN ~).") var streamMaxlen = 100_000
    @Option(help: "Folder of the daily track files (tracks-YYYY-MM-DD.jsonl).") var tracksDir = "tracks"
    @Option(help: "Control socket path (default /tmp/<prefix>-detector.sock).") var controlSocket: String?

    func run() throws {
        guard let waitMode = DetectorLoop.WaitMode(rawValue: wait) else { throw ValidationError("--wait: expected busy or futex, was \(wait)") }
        // The helper threads (Redis streams, funding, control socket) are started by this thread and
        // inherit its CPU set: keep them off the evaluation CPU, which this thread takes just
        // before the loop starts.
        if cpu >= 0, drz_pin_current_thread_away_from(Int32(cpu)) != 0 {
            throw ValidationError("--cpu: CPU \(cpu) is not one this process may run on")
        }
        let loaded: Universe
        let settings: DetectorConfig
        do {
            loaded = try Universe.load(path: universe)
            settings = try config.map { try DetectorConfig.load(path: $0) } ?? DetectorConfig()
        } catch {
            throw ValidationError("\(error)")
        }
        // Everything that can be refused is checked before any shared memory is made: a refused
        // start leaves nothing behind.
        let names = try SegmentNames(prefix: shmPrefix)
        let socketPath = controlSocket ?? ControlSocketServer.defaultPath(prefix: shmPrefix, service: "detector")
        do {
            try ControlSocketServer.checkPath(socketPath)
        } catch {
            throw ValidationError("--control-socket: \(error)")
        }
        let journal = try TrackJournal(directory: tracksDir)
        var streams: StreamPublisher?
        var funding: FundingReader?
        if !noRedis {
            guard streamMaxlen > 0 else { throw ValidationError("--stream-maxlen: expected > 0, was \(streamMaxlen)") }
            let url = redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:6379"
            do {
                let redis = try RedisConfiguration(url: url)
                streams = StreamPublisher(configuration: redis, maxLength: streamMaxlen)
                funding = FundingReader(configuration: redis)
            } catch {
                throw ValidationError("--redis-url: \(error)")
            }
        }
        let store = try PriceStore.attachOrCreate(names: names, symbolCapacity: max(4096, loaded.symbols.count))
        if let refusal = store.refusal(universeSymbols: loaded.symbols.count) { throw ValidationError(refusal) }
        let control = try ControlSegment.attachOrCreate(names: names)
        let consumers = try Exchange.allCases.map { exchange -> RingConsumer<UpdateNotice> in
            let name = names.ring("notices.\(exchange.name)")
            if (try? SPSCRing.inspect(name: name)) == nil { _ = try? SPSCRing.create(name: name, capacity: 65536, of: UpdateNotice.self) }
            return try RingConsumer<UpdateNotice>(name: name)
        }
        let executorName = names.ring("opportunities")
        if (try? SPSCRing.inspect(name: executorName)) == nil { _ = try? SPSCRing.create(name: executorName, capacity: 4096, of: OpportunityRecord.self) }
        let executor = try RingProducer<OpportunityRecord>(name: executorName)
        let loop = DetectorLoop(
            store: store, control: control, universe: loaded, config: settings, consumers: consumers, executor: executor, streams: streams,
            journal: journal, funding: funding, wait: waitMode)

        loop.segmentWatch = SegmentWatch([store.segment, control.segment, executor.segment] + consumers.map(\.segment))
        let universePath = universe
        let server = try ControlSocketServer(path: socketPath) { command in
            Self.handle(command, loop: loop, control: control, universePath: universePath)
        }
        // A plain handler that sets a flag: the evaluation thread polls it every millisecond. (A
        // dispatch signal source needs the signal blocked in every thread, which threads started
        // earlier — the control socket's — do not do, so a SIGTERM could be lost.)
        for number in [SIGTERM, SIGINT] {
            signal(number) { _ in DetectorLoop.terminationRequested.store(true, ordering: .relaxed) }
        }
        print(
            "opportunity-detector running: \(loaded.directions.count) directions, entry \(settings.entryBps) bps, wait \(waitMode.rawValue), control socket \(socketPath), "
                + "\(loop.recoveredTracks) open track\(loop.recoveredTracks == 1 ? "" : "s") recovered from \(journal.directory)"
        )
        fflush(nil)
        if cpu >= 0, drz_pin_current_thread(Int32(cpu)) != 0 { throw ValidationError("--cpu: cannot pin to CPU \(cpu)") }
        loop.run()
        streams?.stop()
        funding?.stop()
        server.stop()
        if let lost = loop.segmentWatch?.lostDescription {
            writeErrorLine("opportunity-detector: \(lost)")
            throw ExitCode(75)
        }
    }

    /// Control commands: `status`, `pause S`, `resume S`, `set FIELD VALUE`, `reload`, `shutdown`
    /// (plain words or `{"command":…}` JSON).
    static func handle(_ text: String, loop: DetectorLoop, control: ControlSegment, universePath: String) -> String {
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let command = object["command"] as? String
        {
            words = [command] + ((object["args"] as? [Any]) ?? []).map { "\($0)" }
        }
        guard let verb = words.first?.lowercased() else { return #"{"ok":false,"error":"empty command"}"# }
        switch verb {
        case "status":
            return loop.statusText.withLock { $0 }
        case "pause", "resume":
            guard words.count == 2, let strategy = StrategyKind(name: words[1]) else {
                let all = StrategyKind.allCases.map(\.name).joined(separator: ", ")
                return #"{"ok":false,"error":"\#(verb) expects one strategy: \#(all)"}"#
            }
            control.setStrategy(strategy, enabled: verb == "resume")
            return #"{"ok":true,"strategy":"\#(strategy.name)","enabled":\#(verb == "resume")}"#
        case "set":
            guard words.count == 3, let value = Double(words[2]), value.isFinite else {
                return #"{"ok":false,"error":"set expects a field and a number, e.g. set entryBps 12"}"#
            }
            do {
                // Read, change, store and hand to the loop under one lock: clients are served on
                // threads of their own, and two `set`s at once must both take effect, in order.
                try loop.currentConfig.withLock { config throws(DetectorConfigError) in
                    config = try config.setting(words[1], to: value)
                    let fresh = config
                    loop.requests.withLock { $0.config = fresh }
                }
                return #"{"ok":true,"\#(words[1])":\#(value)}"#
            } catch {
                return #"{"ok":false,"error":\#(String(describing: error).jsonQuoted)}"#
            }
        case "reload":
            do {
                let fresh = try Universe.load(path: universePath)
                if let refusal = loop.store.refusal(universeSymbols: fresh.symbols.count) {
                    return #"{"ok":false,"error":\#(refusal.jsonQuoted)}"#
                }
                loop.requests.withLock { $0.universe = fresh }
                return #"{"ok":true,"directions":\#(fresh.directions.count)}"#
            } catch {
                return #"{"ok":false,"error":\#(String(describing: error).jsonQuoted)}"#
            }
        case "shutdown":
            loop.requests.withLock { $0.stop = true }
            return #"{"ok":true}"#
        default:
            return #"{"ok":false,"error":"expected status, pause, resume, set, reload or shutdown"}"#
        }
    }
}
