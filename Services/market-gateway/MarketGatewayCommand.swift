import ArgumentParser
import CDraizerShim
import DraizerCore
import FastPath
import Synchronization
import RedisBus
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import ServiceKit
import Venues

/// `market-gateway --exchange NAME`: one exchange's spot and perpetual feeds into shared memory.
@main
struct MarketGatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market-gateway", abstract: "One exchange's market data (both markets) into the shared-memory price store.")

    @Option(help: "binance, bybit, okx, mexc or gateio") var exchange: String
    @Option(help: "Universe file written by `draizer discover`.") var universe = "generated/universe.json"
    @Option(help: "venue-sim base URL (ignored with --live).") var simURL = "http://127.0.0.1:9600"
    @Flag(help: "Connect to the real exchange (TLS).") var live = false
    @Option(help: "Shared-memory prefix (env DRAIZER_SHM_PREFIX).") var shmPrefix = getenv("DRAIZER_SHM_PREFIX").map { String(cString: $0) } ?? "draizer"
    @Option(help: "Symbols the price store holds when this gateway creates it.") var symbolCapacity = 4096
    @Option(help: "Control socket path (default /tmp/<prefix>-gateway-<exchange>.sock).") var controlSocket: String?
    @Option(help: "Redis for the sampled top of book and funding streams (default: env REDIS_URL, else redis://127.0.0.1:6379).")
    var redisURL: String?
    @Flag(help: "Write no Redis streams (shared memory only).") var noRedis = false
    @Option(help: "Bound of each Redis stream (XADD MAXLEN ~).") var streamMaxlen = 100_000
    @Option(help: "Pin the gateway to this CPU (benchmarks; -1 = let the scheduler choose).") var cpu = -1

    func run() throws {
        guard let venue = Exchange(name: exchange) else {
            throw ValidationError("--exchange: expected binance, bybit, okx, mexc or gateio, was \(exchange)")
        }
        if cpu >= 0, drz_pin_current_thread(Int32(cpu)) != 0 { throw ValidationError("--cpu: cannot pin to CPU \(cpu)") }
        let loaded: Universe
        do {
            loaded = try Universe.load(path: universe)
        } catch {
            throw ValidationError("\(error)")
        }
        let names = try SegmentNames(prefix: shmPrefix)
        // Settings that can be refused are checked before any shared memory is made.
        guard (1...(1 << 20)).contains(symbolCapacity) else {
            throw ValidationError("--symbol-capacity: expected 1...1048576, was \(symbolCapacity)")
        }
        let socketPath = controlSocket ?? ControlSocketServer.defaultPath(prefix: shmPrefix, service: "gateway-\(venue.name)")
        do {
            try ControlSocketServer.checkPath(socketPath)
        } catch {
            throw ValidationError("--control-socket: \(error)")
        }
        let simBase = String(simURL.reversed().drop { $0 == "/" }.reversed())
        if !live {
            let host = simBase.split(separator: "://", maxSplits: 1).last ?? ""
            guard simBase.hasPrefix("http://") || simBase.hasPrefix("https://"), !host.isEmpty, !host.contains("/") else {
                throw ValidationError("--sim-url: expected http://HOST:PORT, was \(simURL)")
            }
        }
        var streams: StreamPublisher?
        if !noRedis {
            guard streamMaxlen > 0 else { throw ValidationError("--stream-maxlen: expected > 0, was \(streamMaxlen)") }
            let url = redisURL ?? getenv("REDIS_URL").map { String(cString: $0) } ?? "redis://127.0.0.1:6379"
            do {
                streams = StreamPublisher(configuration: try RedisConfiguration(url: url), maxLength: streamMaxlen)
            } catch {
                throw ValidationError("--redis-url: \(error)")
            }
        }
        let store = try PriceStore.attachOrCreate(names: names, symbolCapacity: max(symbolCapacity, loaded.symbols.count))
        if let refusal = store.refusal(universeSymbols: loaded.symbols.count) { throw ValidationError(refusal) }
        let control = try ControlSegment.attachOrCreate(names: names)
        let ringName = names.ring("notices.\(venue.name)")
        if (try? SPSCRing.inspect(name: ringName)) == nil {
            _ = try? SPSCRing.create(name: ringName, capacity: 65536, of: UpdateNotice.self)
        }
        let ring = try RingProducer<UpdateNotice>(name: ringName)

        var endpoints: [MarketKind: VenueEndpoints] = [:]
        for market in MarketKind.allCases {
            let source = SourceId(exchange: venue, market: market)
            endpoints[market] =
                live
                ? VenueEndpoints.production(source)
                : VenueEndpoints(
                    restBaseURL: "\(simBase)/\(source.name)",
                    publicWebSocketURL: "ws\(simBase.dropFirst("http".count))/\(source.name)/ws")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let gateway = Gateway(
            exchange: venue, universe: loaded, loop: loop, endpoints: endpoints, store: store, control: control, ring: ring,
            streams: streams)
        let finished = loop.makePromise(of: Void.self)
        let universePath = universe
        let server: ControlSocketServer
        do {
            server = try ControlSocketServer(path: socketPath) { command in
                let word = String(command.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()).lowercased()
                switch word {
                case "status", #"{"command":"status"}"#:
                    return (try? loop.submit { gateway.status() }.wait()) ?? #"{"error":"gateway stopped"}"#
                case "reload", #"{"command":"reload"}"#:
                    do {
                        let fresh = try Universe.load(path: universePath)
                        if let refusal = store.refusal(universeSymbols: fresh.symbols.count) {
                            return #"{"ok":false,"error":\#(refusal.jsonQuoted)}"#
                        }
                        try loop.submit { gateway.reload(fresh) }.wait()
                        return #"{"ok":true,"symbols":\#(fresh.symbols.count)}"#
                    } catch {
                        return #"{"ok":false,"error":\#(String(describing: error).jsonQuoted)}"#
                    }
                case "reset", #"{"command":"reset"}"#:
                    try? loop.submit { gateway.resetLatency() }.wait()
                    return #"{"ok":true}"#
                case "shutdown", #"{"command":"shutdown"}"#:
                    loop.execute { finished.succeed(()) }
                    return #"{"ok":true}"#
                default:
                    return #"{"ok":false,"error":"expected status, reload, reset or shutdown"}"#
                }
            }
        } catch {
            // Taken between the check above and now (NIO traps on a group dropped while running).
            try? group.syncShutdownGracefully()
            throw error
        }
        // The feeds start once the service can be asked how they are doing: a `status` right after
        // their first books found no socket yet.
        try loop.submit { gateway.start() }.wait()
        // SIGTERM / SIGINT: stop cleanly (connections closed, books unverified, health stopped).
        // The handler only sets a flag, which the event loop checks every 20 ms: a dispatch signal
        // source would need the signal blocked in every thread, and threads already exist here.
        for number in [SIGTERM, SIGINT] {
            signal(number) { _ in terminationRequested.store(true, ordering: .relaxed) }
        }
        let segments = SegmentWatch([store.segment, control.segment, ring.segment])
        let watcher = loop.scheduleRepeatedTask(initialDelay: .milliseconds(20), delay: .milliseconds(20)) { _ in
            if terminationRequested.load(ordering: .relaxed) || segments.hasLost { finished.succeed(()) }
        }
        print("market-gateway \(venue.name) running: \(loaded.instruments.filter { $0.source.exchange == venue }.count) instruments, control socket \(socketPath)")
        fflush(nil)
        try finished.futureResult.wait()
        watcher.cancel()
        try loop.submit { gateway.stop() }.wait()
        streams?.stop()
        server.stop()
        try? group.syncShutdownGracefully()
        if let lost = segments.lostDescription {
            writeErrorLine("market-gateway \(venue.name): \(lost)")
            throw ExitCode(75)
        }
    }
}

/// Set by the SIGTERM/SIGINT handler (an atomic store is async-signal-safe).
let terminationRequested = Atomic<Bool>(false)
