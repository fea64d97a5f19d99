import Foundation
import ServiceKit
import TestSupport
import Testing

/// `compose/` cannot be run here (no Docker engine), so it is checked against what it names: every
/// Draizer command it runs is a binary the Dockerfile installs, each flag is one that binary's help
/// lists (a renamed option breaks the deployment, not this build, otherwise), and the services,
/// volumes and files it refers to exist.
@Suite struct ComposeFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binaries: Set<String> = ["draizer", "venue-sim", "market-gateway", "opportunity-detector"]

    /// The compose file as JSON (PyYAML, from Debian's python3-yaml).
    static func compose() throws -> [String: Any] {
        let path = repository.appendingPathComponent("compose/docker-compose.yml").path
        let child = try ChildProcess(
            executable: "/usr/bin/python3",
            arguments: ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path], output: .pipe)
        let lines = child.readAll(timeoutMillis: 30_000)
        #expect(child.wait() == 0, "python3 with yaml (python3-yaml) must read \(path)")
        return try JSONSerialization.jsonObject(with: Data(lines.joined().utf8)) as? [String: Any] ?? [:]
    }

    /// The Draizer command lines a service runs: its `command` array, or each `draizer …` of an
    /// `sh -c` script.
    static func commandLines(_ service: [String: Any]) -> [[String]] {
        guard let command = service["command"] as? [String], let first = command.first else { return [] }
        if first == "sh", command.count == 3, command[1] == "-c" {
            return command[2].split(separator: ";").map { $0.split(separator: " ").map(String.init) }.filter { binaries.contains($0.first ?? "") }
        }
        return binaries.contains(first) ? [command] : []
    }

    func help(_ binary: String, _ subcommands: [String]) throws -> String {
        let child = try ChildProcess(executable: builtBinary(binary), arguments: subcommands + ["--help"], output: .pipe)
        let text = child.readAll(timeoutMillis: 30_000).joined(separator: "\n")
        #expect(child.wait() == 0, "\(binary) \(subcommands.joined(separator: " ")) --help")
        return text
    }

    @Test func everyCommandAndFlagExists() throws {
        let compose = try Self.compose()
        let services = try #require(compose["services"] as? [String: [String: Any]])
        let dockerfile = try String(contentsOf: Self.repository.appendingPathComponent("compose/Dockerfile"), encoding: .utf8)
        var checked = 0
        for (name, service) in services.sorted(by: { $0.key < $1.key }) {
            for line in Self.commandLines(service) {
                let binary = line[0]
                #expect(dockerfile.contains(" \(binary)"), "\(name): the Dockerfile does not install \(binary)")
                let subcommands = Array(line.dropFirst().prefix { !$0.hasPrefix("-") })
                let text = try help(binary, subcommands)
                for flag in line.dropFirst() where flag.hasPrefix("--") {
                    let listed = text.contains(flag)
                    #expect(listed, "\(name): \(binary) \(subcommands.joined(separator: " ")) has no \(flag)")
                }
                checked += 1
            }
        }
        #expect(checked >= 9, "migrate, venue-sim, discover, shm remove and create, five gateways, the detector: \(checked)")
    }

    @Test func servicesVolumesAndFilesItNamesExist() throws {
        let compose = try Self.compose()
        let services = try #require(compose["services"] as? [String: [String: Any]])
        let volumes = Set((compose["volumes"] as? [String: Any] ?? [:]).keys)
        for (name, service) in services {
            let dependencies = (service["depends_on"] as? [String: Any]).map { Array($0.keys) } ?? (service["depends_on"] as? [String] ?? [])
            for dependency in dependencies { #expect(services[dependency] != nil, "\(name) depends on \(dependency), which is not a service") }
            for volume in service["volumes"] as? [String] ?? [] {
                let source = String(volume.split(separator: ":")[0])
                #expect(volumes.contains(source), "\(name): volume \(source) is not declared")
            }
            // Files the image carries, under the paths the Dockerfile copies them to.
            for argument in (service["command"] as? [String]) ?? [] where argument.hasPrefix("/opt/draizer/") {
                let local = argument.replacingOccurrences(of: "/opt/draizer/scenarios", with: "ops/scenarios")
                    .replacingOccurrences(of: "/opt/draizer/migrations", with: "migrations")
                #expect(FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent(local).path), "\(name): \(argument)")
            }
        }
        let dockerfile = try String(contentsOf: Self.repository.appendingPathComponent("compose/Dockerfile"), encoding: .utf8)
        for line in dockerfile.split(separator: "\n") where line.hasPrefix("COPY ") && !line.contains("--from") {
            let source = String(line.split(separator: " ")[1])
            #expect(FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent(source).path), "Dockerfile: COPY \(source)")
        }
    }

    /// Each shared library a binary links directly (Swift's own aside: the image links them
    /// statically) comes from a Debian package the Dockerfile's runtime stage installs, or from
    /// the slim base. A new C dependency otherwise builds, and then fails to start in the image.
    @Test func theImageInstallsTheLibrariesTheBinariesLink() throws {
        let dockerfile = try String(contentsOf: Self.repository.appendingPathComponent("compose/Dockerfile"), encoding: .utf8)
        let runtime = try #require(dockerfile.components(separatedBy: "\nFROM ").last)
        let slimBase: Set<String> = ["libc6", "libstdc++6", "libgcc-s1"]
        func run(_ executable: String, _ arguments: [String]) throws -> [String] {
            let child = try ChildProcess(executable: executable, arguments: arguments, output: .pipe)
            let lines = child.readAll(timeoutMillis: 30_000)
            _ = child.wait()
            return lines
        }
        for binary in Self.binaries.sorted() {
            let path = builtBinary(binary)
            let needed = try run("/usr/bin/readelf", ["-d", path]).compactMap { line -> String? in
                guard line.contains("(NEEDED)"), let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
                return String(line[line.index(after: open)..<close])
            }
            #expect(!needed.isEmpty, "\(binary): readelf found no NEEDED entries")
            var located: [String: String] = [:]
            for line in try run("/usr/bin/ldd", [path]) {
                let parts = line.split(whereSeparator: \.isWhitespace)
                if parts.count >= 3, parts[1] == "=>" { located[String(parts[0])] = String(parts[2]) }
            }
            for library in needed where !["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "ld-linux"].contains(where: library.hasPrefix) {
                let file = try #require(located[library], "\(binary): \(library) not found by ldd")
                let real = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
                // dpkg knows a file by the path its package ships it at: /usr/lib or /lib (merged /usr).
                var package = ""
                for candidate in [real, real.hasPrefix("/usr/") ? String(real.dropFirst(4)) : "/usr" + real] where package.isEmpty {
                    let owner = try run("/usr/bin/dpkg-query", ["-S", candidate]).first ?? ""
                    package = String(owner.split(separator: ":").first ?? "")
                }
                #expect(!package.isEmpty, "\(binary): no Debian package owns \(real)")
                let installed = slimBase.contains(package) || runtime.contains(" \(package) ") || runtime.contains(" \(package)\n")
                #expect(installed, "\(binary) links \(library) from \(package), which the Dockerfile's runtime stage does not install")
            }
        }
    }
}
