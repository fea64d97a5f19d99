import Foundation
import ServiceKit

/// Path of an executable built next to the test bundle (override the folder with DRAIZER_BIN_DIR).
public func builtBinary(_ name: String) -> String {
    if let directory = ProcessInfo.processInfo.environment["DRAIZER_BIN_DIR"] { return "\(directory)/\(name)" }
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent(name).path
}

/// A venue-sim process for one test, on a free port, stopped when released.
public final class VenueSimProcess {
    public let child: ChildProcess
    public let port: Int

    static var binary: String { builtBinary("venue-sim") }

    /// `scenario` is the JSON text of a scenario file; `arguments` are passed on (e.g. `--replay`).
    public init(scenario: String? = nil, arguments extra: [String] = []) throws {
        var arguments = ["--port", "0"] + extra
        if let scenario {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json").path
            try scenario.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--scenario", path]
        }
        child = try ChildProcess(executable: Self.binary, arguments: arguments, output: .pipe)
        guard let line = child.readLine(timeoutMillis: 20_000), let range = line.range(of: "http://127.0.0.1:") else {
            throw SimStartFailure()
        }
        port = Int(line[range.upperBound...].prefix(while: { $0.isNumber }))!
    }

    deinit {
        child.terminate(graceMillis: 2000)
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public func rest(_ source: String) -> String { "http://127.0.0.1:\(port)/\(source)" }
    public func webSocket(_ source: String) -> String { "ws://127.0.0.1:\(port)/\(source)/ws" }
}

public struct SimStartFailure: Error {}
