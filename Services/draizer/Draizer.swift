import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The operator CLI. Each subcommand is a thin shell over the shared libraries.
@main
struct Draizer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draizer",
        abstract: "Draizer operator tool: shared memory, migrations, benchmarks, signing and book replay.",
        subcommands: [DiscoverCommand.self, StatusCommand.self, ShmCommand.self, MigrateCommand.self, BenchCommand.self, SignCommand.self, BookCommand.self, BenchChildCommand.self])
}

/// Options naming the shared-memory segments.
struct SegmentOptions: ParsableArguments {
    @Option(help: "Shared-memory name prefix (env DRAIZER_SHM_PREFIX).")
    var prefix: String = Environment.value("DRAIZER_SHM_PREFIX") ?? "draizer"
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }
}

/// A failure reported to the operator as one clear line, with exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes one line to stdout immediately (stdout is block-buffered when piped, and a benchmark's
/// lines should appear as each finishes, and before a child process reads them).
func printLine(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
