import ArgumentParser
import CDraizerShim
import DraizerCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import VenueSim

/// `venue-sim`: the five exchanges' public REST and WebSocket interfaces on loopback, in their
/// real formats, driven by a scenario of prices, dislocations and faults.
///
/// Every source lives under `/{exchange}/{market}`: REST at its venue paths
/// (`/binance/spot/api/v3/depth?symbol=BTCUSDT`), the WebSocket at `/{exchange}/{market}/ws`.
@main
struct VenueSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venue-sim", abstract: "Local exchange simulator: REST + WebSocket of 10 sources in their real formats.")

    @Option(help: "Address to listen on (loopback by default).") var host = "127.0.0.1"
    @Option(help: "Port (0 = any free port; the chosen one is printed).") var port = 9600
    @Option(help: "Scenario JSON file (symbols, rate, dislocations, faults); default: a quiet market.") var scenario: String?
    @Option(help: "Replay the recorded frames under this fixtures folder (e.g. ../shared/fixtures) instead of simulating.")
    var replay: String?
    @Option(help: "Replay pace: 1 = as recorded, 10 = ten times faster, 0 = as fast as possible.") var speed = 1.0
    @Flag(help: "Stress mode: besides the scenario's market, top-of-book frames as fast as each socket takes them.") var stress = false
    @Option(help: "Pin venue-sim to this CPU (benchmarks; -1 = let the scheduler choose).") var cpu = -1

    func run() throws {
        let scenario: SimScenario
        if let path = self.scenario {
            do {
                scenario = try SimScenario.load(json: try AtomicFile.read(path: path))
            } catch {
                throw ValidationError("\(path): \(error)")
            }
        } else {
            scenario = SimScenario()
        }
        if cpu >= 0, drz_pin_current_thread(Int32(cpu)) != 0 { throw ValidationError("--cpu: cannot pin to CPU \(cpu)") }
        guard (0...65535).contains(port) else { throw ValidationError("--port: expected 0...65535, was \(port)") }
        guard speed >= 0, speed.isFinite else { throw ValidationError("--speed: expected a number ≥ 0, was \(speed)") }
        var recording: SimRecording?
        if let replay {
            do {
                recording = try SimRecording.load(root: replay)
            } catch {
                throw ValidationError("--replay: \(error)")
            }
        }
        // One loop: the market, every connection and every write share it (one core).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let engine = SimulationEngine(eventLoop: loop, scenario: scenario, recording: recording, replaySpeed: speed, stress: stress)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let http = SimHTTPHandler(engine: engine)
                    let upgrader = NIOWebSocketServerUpgrader(
                        maxFrameSize: 1 << 20,
                        shouldUpgrade: { channel, head in
                            let parts = head.uri.split(separator: "/")
                            let valid = parts.count == 3 && parts[2] == "ws" && SourceId(name: "\(parts[0])/\(parts[1])") != nil
                            return channel.eventLoop.makeSucceededFuture(valid ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, head in
                            let parts = head.uri.split(separator: "/")
                            let source = SourceId(name: "\(parts[0])/\(parts[1])")!
                            return channel.eventLoop.makeCompletedFuture {
                                // Stress mode writes pre-framed batches below the frame encoder.
                                let raw = stress ? RawFrameWriter() : nil
                                if let raw { try channel.pipeline.syncOperations.addHandler(raw, position: .first) }
                                try channel.pipeline.syncOperations.addHandler(SimWebSocketHandler(engine: engine, source: source, raw: raw))
                            }
                        })
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                            context.pipeline.removeHandler(name: SimHTTPHandler.name, promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(http, name: SimHTTPHandler.name)
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw ListenFailure(description: "cannot listen on \(host):\(port) (--host, --port): \(error)")
        }
        try loop.submit { engine.start() }.wait()
        let bound = channel.localAddress?.port ?? port
        if let recording {
            let summary = recording.recordedSources.map { "\($0.source.name) \($0.tracks.count) symbols/\($0.frames.count) frames" }
            print("venue-sim listening on http://\(host):\(bound) (ws://\(host):\(bound)/{exchange}/{market}/ws), replaying at speed \(speed): \(summary.joined(separator: ", "))")
        } else {
            print("venue-sim listening on http://\(host):\(bound) (ws://\(host):\(bound)/{exchange}/{market}/ws), \(scenario.symbols.count) symbols × 10 sources")
        }
        fflushStdout()
        try channel.closeFuture.wait()
    }
}

/// The listening socket could not be made (address in use, not this host's, unknown name).
struct ListenFailure: Error, CustomStringConvertible {
    let description: String
}

/// stdout is a pipe under supervisors and tests: flush the readiness line at once.
func fflushStdout() {
    fflush(nil)
}

#if canImport(Glibc)
import Glibc
#endif
