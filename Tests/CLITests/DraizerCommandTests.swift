import DraizerCore
import Foundation
import ServiceKit
import TestSupport
import Testing

/// The `draizer` binary run as an operator runs it.
@Suite struct DraizerCommandTests {
    static var binary: String { builtBinary("draizer") }
    static var fixtures: String { Fixtures.root.path }

    func run(_ arguments: [String]) throws -> (status: Int32, lines: [String]) {
        let child = try ChildProcess(executable: Self.binary, arguments: arguments, output: .pipe)
        let lines = child.readAll(timeoutMillis: 60_000)
        return (child.wait(), lines)
    }

    @Test func bookReplayPrintsTopsAndGaps() throws {
        let directory = "\(Self.fixtures)/binance/replay/spot-NKNUSDT"
        let clean = try run(["book", "replay", "--exchange", "binance", "--market", "spot", "--snapshot", "\(directory)/depth-snapshot.json", "--diffs", "\(directory)/depth-diff.jsonl"])
        #expect(clean.status == 0)
        #expect(clean.lines.count == 149, "one line per applied diff")
        #expect(clean.lines.last == #"{"update_id": 499870179, "bid_price": "0.35270000", "bid_qty": "9602.00000000", "ask_price": "0.35310000", "ask_qty": "152.00000000", "verified": true}"#)

        var diffs = try String(contentsOfFile: "\(directory)/depth-diff.jsonl", encoding: .utf8).split(separator: "\n")
        diffs.remove(at: 74)
        let damaged = FileManager.default.temporaryDirectory.appendingPathComponent("damaged-\(getpid()).jsonl").path
        try diffs.joined(separator: "\n").write(toFile: damaged, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: damaged) }
        let broken = try run(["book", "replay", "--exchange", "binance", "--market", "spot", "--snapshot", "\(directory)/depth-snapshot.json", "--diffs", damaged])
        #expect(broken.status == 0)
        let gaps = broken.lines.filter { $0.hasPrefix(#"{"gap""#) }
        #expect(gaps.count == 1 && gaps[0].contains("sequence gap"))
        #expect(broken.lines.last?.hasSuffix(#""verified": false}"#) == true)

        let missing = try run(["book", "replay", "--exchange", "kraken", "--market", "spot", "--snapshot", "x", "--diffs", "y"])
        #expect(missing.status != 0)
    }

    @Test func signPrintsWhatWouldBeSent() throws {
        let result = try run([
            "sign", "--exchange", "okx", "--market", "spot", "--method", "GET", "--path", "/api/v5/account/balance", "--params", "ccy=BTC",
            "--key", "K", "--secret", "22582BD0CFF14C41EDBF1AB98506286D", "--passphrase", "p", "--timestamp", "1607418537715",
        ])
        #expect(result.status == 0)
        #expect(result.lines.first?.hasPrefix(#"{"signature": "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=", "query": "ccy=BTC""#) == true)
        let noPassphrase = try run([
            "sign", "--exchange", "okx", "--market", "spot", "--method", "GET", "--path", "/x", "--key", "K", "--secret", "S", "--timestamp", "1",
        ])
        #expect(noPassphrase.status != 0)
    }

    @Test func shmLifecycle() throws {
        let prefix = "drzcli-\(getpid())"
        defer { _ = try? run(["shm", "remove", "--prefix", prefix]) }
        // A refused ring capacity comes after the store and control block would have been made:
        // nothing may be left behind (the next create would be refused and services would attach
        // to half a set).
        #expect(try run(["shm", "create", "--prefix", prefix, "--symbols", "16", "--ring-capacity", "3"]).status == 1)
        #expect(try run(["shm", "inspect", "--prefix", prefix]).status != 0, "a refused create leaves no segment")
        let created = try run(["shm", "create", "--prefix", prefix, "--symbols", "16", "--ring-capacity", "64"])
        #expect(created.status == 0 && created.lines.count == 7)
        let inspected = try run(["shm", "inspect", "--prefix", prefix])
        #expect(inspected.status == 0)
        #expect(inspected.lines.contains { $0.contains("kill switch released") })
        #expect(inspected.lines.contains { $0.contains("binance/spot  down") })
        #expect(try run(["shm", "create", "--prefix", prefix]).status != 0, "creating twice is refused")
        #expect(try run(["shm", "remove", "--prefix", prefix]).status == 0)
        #expect(try run(["shm", "inspect", "--prefix", prefix]).status != 0, "nothing left to inspect")
    }

    /// With /dev/shm too small for the segments (a private 1 MiB tmpfs over it, in a mount
    /// namespace of its own: needs root), `shm create` says so and leaves nothing; it died of
    /// SIGBUS at its first write into a page the tmpfs could not supply, leaving half a set.
    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs over /dev/shm in a private namespace: root only"))
    func shmCreateOnAFullDevShmIsRefusedNotACrash() throws {
        let script = """
            mount -t tmpfs -o size=1m tmpfs /dev/shm || exit 99
            "$0" shm create --prefix full --symbols 64 2>&1
            echo "status $?"
            ls /dev/shm
            """
        let child = try ChildProcess(executable: "/usr/bin/unshare", arguments: ["-m", "/bin/sh", "-c", script, Self.binary], output: .pipe)
        let lines = child.readAll(timeoutMillis: 60_000)
        #expect(child.wait() == 0, "\(lines)")
        #expect(lines.contains("status 1"), "\(lines)")
        #expect(lines.contains { $0.contains("No space left on device") && $0.contains("/dev/shm is full") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("full.") }, "nothing left behind: \(lines)")
    }

    @Test func statusShowsHealthAndEveryInstrument() throws {
        let prefix = "drzst-\(getpid())"
        let universePath = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-universe.json").path
        defer {
            _ = try? run(["shm", "remove", "--prefix", prefix])
            try? FileManager.default.removeItem(atPath: universePath)
        }
        let source = SourceId(exchange: .bybit, market: .perp)
        let instrument = Instrument(
            symbol: SymbolId(0), source: source, exchangeSymbol: "ETHUSDT", tickSize: try Price("0.01"), stepSize: try Quantity("0.01"),
            minQuantity: try Quantity("0.01"), minNotional: ExactDecimal(5), contractSize: ExactDecimal(1))
        try Universe(symbols: [SymbolInfo(id: SymbolId(0), base: "ETH", quote: "USDT")], instruments: [instrument], directions: [])
            .save(path: universePath)

        #expect(try run(["status", "--prefix", prefix, "--universe", universePath]).status != 0, "no shared memory yet")
        #expect(try run(["shm", "create", "--prefix", prefix, "--symbols", "4", "--ring-capacity", "4"]).status == 0)
        let shown = try run(["status", "--prefix", prefix, "--universe", universePath, "--detector-socket", "/nonexistent.sock"])
        #expect(shown.status == 0)
        #expect(shown.lines.contains { $0.hasPrefix("bybit/perp") && $0.contains("down") })
        #expect(shown.lines.contains { $0.hasPrefix("ETH-USDT") && $0.contains("bybit/perp") && $0.contains("no data yet") })
        let watched = try run(["status", "--prefix", prefix, "--universe", universePath, "--watch", "--interval-millis", "50", "--count", "2"])
        #expect(watched.status == 0 && watched.lines.filter { $0.contains("draizer status") }.count == 2)
        // A refresh interval that would spin or sleep past a UInt32 of microseconds is refused.
        for interval in ["0", "9999999999999"] {
            #expect(try run(["status", "--prefix", prefix, "--universe", universePath, "--watch", "--interval-millis", interval, "--count", "1"]).status == 64)
        }
        #expect(try run(["status", "--prefix", prefix, "--universe", "/nonexistent.json"]).status == 1)
    }

    @Test func parseBenchPrintsTheBenchLine() throws {
        let result = try run(["bench", "parse", "bt", "\(Self.fixtures)/bench/binance-bookticker.jsonl", "--runs", "1", "--min-seconds", "0.01"])
        #expect(result.status == 0)
        let line = try #require(result.lines.first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["contender"] as? String == "swift-draizer" && json["n_msgs"] as? Int == 3112)
        #expect(json["lat_ns"] is [String: Any])
        // Cold frames: caches pushed out before each one; a bad size is refused.
        let cold = try run(
            ["bench", "parse", "bt", "\(Self.fixtures)/bench/binance-bookticker.jsonl", "--runs", "1", "--min-seconds", "0.01", "--evict-mib", "1"])
        #expect(cold.status == 0 && cold.lines.first?.contains(#""lat_ns""#) == true)
        #expect(try run(["bench", "parse", "bt", "\(Self.fixtures)/bench/binance-bookticker.jsonl", "--evict-mib", "-1"]).status != 0)
    }

    /// Settings that leave nothing to time are refused with exit 1 (a crash dies of a signal).
    @Test func benchesRefuseSettingsThatTimeNothing() throws {
        let corpus = "\(Self.fixtures)/bench/binance-bookticker.jsonl"
        for settings in [["--runs", "0"], ["--min-seconds", "0"], ["--min-seconds", "nan"], ["--min-seconds", "inf"]] {
            #expect(try run(["bench", "parse", "bt", corpus] + settings).status == 1, "\(settings)")
        }
        #expect(try run(["bench", "sign", "--runs", "0"]).status == 1)
        #expect(try run(["bench", "sign", "--requests", "0"]).status == 1)
        // An --only that names no benchmark used to run nothing and exit 0; no exchange likewise.
        for command in [["fastpath"], ["detector"], ["gateway"]] {
            #expect(try run(["bench"] + command + ["--only", "sqlock"]).status == 1, "\(command)")
            #expect(try run(["bench"] + command + ["--only", ","]).status == 1, "\(command)")
        }
        #expect(try run(["bench", "gateway", "--exchanges", ","]).status == 1)
    }

    /// A benchmark killed before its cleanup leaves segments and a scratch folder named after its
    /// pid; the next benchmark removes those of dead processes and leaves a live one's alone.
    @Test func benchesSweepWhatDeadBenchesLeft() throws {
        let finished = try ChildProcess(executable: "/bin/true", arguments: [], output: .discard)
        let deadPid = finished.pid
        #expect(finished.wait() == 0)
        let dead = "draizer-gwbench-\(deadPid)-l"
        let live = "draizer-detbench-\(getpid())"
        let paths = ["/dev/shm/\(dead).prices", "/dev/shm/\(live).prices", "\(FileManager.default.temporaryDirectory.path)/\(dead)"]
        defer { paths.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        #expect(FileManager.default.createFile(atPath: paths[0], contents: Data(count: 4096)))
        #expect(FileManager.default.createFile(atPath: paths[1], contents: Data(count: 4096)))
        try FileManager.default.createDirectory(atPath: paths[2], withIntermediateDirectories: true)
        #expect(try run(["bench", "fastpath", "--only", "seqlock.write", "--runs", "1"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: paths[0]) && !FileManager.default.fileExists(atPath: paths[2]), "a dead bench's")
        #expect(FileManager.default.fileExists(atPath: paths[1]), "a running process's are kept")
    }

    @Test func machineBenchPrintsALinePerProbedCPU() throws {
        let result = try run(["bench", "machine", "--seconds", "0.2", "--cpus", "0"])
        #expect(result.status == 0)
        #expect(result.lines.count == 1)
        let line = try #require(result.lines.first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["bench"] as? String == "machine.clock_gaps.cpu0" && json["unit"] as? String == "ns")
        let note = try #require(json["note"] as? String)
        #expect(note.contains("gaps per second") && note.contains("% of moments"), "\(note)")
        #expect(try run(["bench", "machine", "--seconds", "0.1", "--cpus", "99"]).status != 0, "a CPU the machine does not have")
        #expect(try run(["bench", "machine", "--seconds", "-1"]).status != 0)
    }
}
