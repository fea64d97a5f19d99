import ArgumentParser
import DraizerCore
import FastPath
import Foundation
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
    @Option(help: "Shared-memory prefix (env DRAIZER_SHM_PREFIX).") var shmPrefix = ProcessInfo.processInfo.environment["DRAIZER_SHM_PREFIX"] ?? "draizer"
    @Option(help: "Symbols the price store holds when this gateway creates it.") var symbolCapacity = 4096
    @Option(help: "Control socket path (default /tmp/<prefix>-gateway-<exchange>.sock).") var controlSocket: String?

    func run() throws {
        guard let venue = Exchange(name: exchange) else {
            throw ValidationError("--exchange: expected binance, bybit, okx, mexc or gateio, was \(exchange)")
        }
        let loaded: Universe
        do {
            loaded = try Universe.load(path: universe)
        } catch {
            throw ValidationError("\(error)")
        }
        let names = try SegmentNames(prefix: shmPrefix)
        let store = try PriceStore.attachOrCreate(names: names, symbolCapacity: max(symbolCapacity, loaded.symbols.count))
        guard loaded.symbols.count <= store.symbolCapacity else {
            throw ValidationError("universe has \(loaded.symbols.count) symbols, the price store holds \(store.symbolCapacity): recreate it larger")
        }
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
                    restBaseURL: "\(simURL)/\(source.name)",
                    publicWebSocketURL: "\(simURL.replacingOccurrences(of: "http", with: "ws"))/\(source.name)/ws")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let gateway = Gateway(
            exchange: venue, universe: loaded, loop: loop, endpoints: endpoints, store: store, control: control, ring: ring)
        try loop.submit { gateway.start() }.wait()

        let finished = loop.makePromise(of: Void.self)
        let universePath = universe
        let socketPath = controlSocket ?? "/tmp/\(shmPrefix)-gateway-\(venue.name).sock"
        let server = try ControlSocketServer(path: socketPath) { command in
            let word = command.trimmingCharacters(in: .whitespaces).lowercased()
            switch word {
            case "status", #"{"command":"status"}"#:
                return (try? loop.submit { gateway.status() }.wait()) ?? #"{"error":"gateway stopped"}"#
            case "reload", #"{"command":"reload"}"#:
                do {
                    let fresh = try Universe.load(path: universePath)
                    try loop.submit { gateway.reload(fresh) }.wait()
                    return #"{"ok":true,"symbols":\#(fresh.symbols.count)}"#
                } catch {
                    return #"{"ok":false,"error":"\#(error)"}"#
                }
            case "shutdown", #"{"command":"shutdown"}"#:
                loop.execute { finished.succeed(()) }
                return #"{"ok":true}"#
            default:
                return #"{"ok":false,"error":"expected status, reload or shutdown"}"#
            }
        }
        // SIGTERM / SIGINT: stop cleanly (connections closed, books unverified, health stopped).
        let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { loop.execute { finished.succeed(()) } }
            source.resume()
            return source
        }
        print("market-gateway \(venue.name) running: \(loaded.instruments.filter { $0.source.exchange == venue }.count) instruments, control socket \(socketPath)")
        fflush(nil)
        try finished.futureResult.wait()
        signals.forEach { $0.cancel() }
        try loop.submit { gateway.stop() }.wait()
        server.stop()
        try? group.syncShutdownGracefully()
    }
}
