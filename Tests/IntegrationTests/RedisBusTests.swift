import Foundation
import RedisBus
import ServiceKit
import Synchronization
import Testing

@Suite struct RedisBusTests {
    @Test func streamsStayBounded() throws {
        let redis = try RedisConnection(configuration: TestServers.redis())
        let stream = TestServers.uniqueName("ticks")
        defer { _ = try? redis.del(keys: [stream]) }
        for index in 0..<20_000 {
            try redis.xadd(stream: stream, maxLength: 1000, fields: ["i": String(index)])
        }
        // `MAXLEN ~ N` trims whole stream nodes (stream-node-max-entries, 100 by default), so the
        // length stays within N plus one node: bounded, without an exact trim on every XADD.
        let length = try redis.xlen(stream: stream)
        #expect(length >= 1000)
        #expect(length <= 1100)
        #expect(throws: RedisError.self) { try redis.xadd(stream: stream, maxLength: 0, fields: ["a": "b"]) }
    }

    @Test func deadConsumerEntriesAreReclaimed() throws {
        let configuration = try TestServers.redis()
        let stream = TestServers.uniqueName("opportunities")
        let producer = try RedisConnection(configuration: configuration)
        defer { _ = try? producer.del(keys: [stream]) }
        #expect(try producer.xgroupCreate(stream: stream, group: "ledger"))
        #expect(try !producer.xgroupCreate(stream: stream, group: "ledger"), "a second create is not an error")
        var sent: [String] = []
        for index in 0..<10 {
            sent.append(try producer.xadd(stream: stream, maxLength: 10_000, fields: ["n": String(index)]))
        }

        // Consumer A reads everything, then dies before XACK (its connection goes away).
        do {
            let doomed = try RedisConnection(configuration: configuration)
            let batch = try doomed.xreadgroup(
                group: "ledger", consumer: "a", streams: [(stream, ">")], count: 100, blockMillis: 100)
            #expect(batch.first?.entries.count == 10)
        }
        #expect(try producer.xpendingCount(stream: stream, group: "ledger") == 10)

        // Consumer B finds nothing new, then claims what A left pending once it has idled.
        let survivor = try RedisConnection(configuration: configuration)
        let fresh = try survivor.xreadgroup(group: "ledger", consumer: "b", streams: [(stream, ">")], count: 100, blockMillis: 50)
        #expect(fresh.allSatisfy { $0.entries.isEmpty })
        usleep(60_000)
        let claimed = try survivor.xautoclaim(stream: stream, group: "ledger", consumer: "b", minIdleMillis: 50)
        #expect(claimed.entries.map(\.id) == sent)
        #expect(claimed.entries.map { $0.fields["n"] } == (0..<10).map { String($0) })
        #expect(try survivor.xack(stream: stream, group: "ledger", ids: claimed.entries.map(\.id)) == 10)
        #expect(try producer.xpendingCount(stream: stream, group: "ledger") == 0)
    }

    @Test func blockingReadTimesOutEmpty() throws {
        let redis = try RedisConnection(configuration: TestServers.redis())
        let stream = TestServers.uniqueName("quiet")
        defer { _ = try? redis.del(keys: [stream]) }
        try redis.xgroupCreate(stream: stream, group: "g", startId: "$")
        let started = ContinuousClock.now
        let batch = try redis.xreadgroup(group: "g", consumer: "c", streams: [(stream, ">")], count: 10, blockMillis: 200)
        #expect(batch.isEmpty)
        #expect(ContinuousClock.now - started >= .milliseconds(150))
    }

    @Test func hashesAndTypedServerErrors() throws {
        let redis = try RedisConnection(configuration: TestServers.redis())
        let key = TestServers.uniqueName("health")
        defer { _ = try? redis.del(keys: [key]) }
        #expect(try redis.hset(key: key, fields: ["state": "live", "gaps": "0"]) == 2)
        #expect(try redis.hset(key: key, fields: ["gaps": "3"]) == 0)
        #expect(try redis.hgetall(key: key) == ["state": "live", "gaps": "3"])
        #expect(try redis.hgetall(key: TestServers.uniqueName("absent")).isEmpty)
        do {
            _ = try redis.xlen(stream: key)
            Issue.record("XLEN on a hash must fail")
        } catch {
            guard case .server(let message) = error else {
                Issue.record("expected a server error, was \(error)")
                return
            }
            #expect(message.hasPrefix("WRONGTYPE"))
            #expect(!error.isRetryable)
        }
        // Binary-safe arguments survive intact.
        let value = "a\u{0}b\r\n'); DROP TABLE x;--"
        try redis.hset(key: key, fields: ["raw": value])
        #expect(try redis.hgetall(key: key)["raw"] == value)
    }

    @Test func badConfigurationAndMissingServerAreClear() throws {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://localhost") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://host:99999") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "unix://relative.sock") }
        let parsed = try RedisConfiguration(url: "redis://user:secret@cache.local:6380/2")
        #expect(parsed.endpoint == .tcp(host: "cache.local", port: 6380))
        #expect(parsed.username == "user" && parsed.password == "secret" && parsed.database == 2)
        let unix = try RedisConfiguration(url: "unix:///tmp/r.sock?db=3&password=p")
        #expect(unix.endpoint == .unix(path: "/tmp/r.sock") && unix.database == 3 && unix.password == "p")

        let missing = RedisConfiguration(endpoint: .unix(path: "/nonexistent/redis.sock"))
        do {
            _ = try RedisConnection(configuration: missing)
            Issue.record("connecting to a missing socket must fail")
        } catch {
            #expect(error.isRetryable)
            #expect(error.description.contains("unix:/nonexistent/redis.sock"))
        }
    }

    @Test func wrongPasswordIsRefused() throws {
        var configuration = try TestServers.redis()
        configuration.password = "not-the-password"
        #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
    }

    /// A Redis of this test's own, killed and restarted on the same socket: the same connection
    /// object reports the loss once, then reconnects by itself, and data written after flows.
    @Test(.timeLimit(.minutes(1))) func reconnectsAfterRestart() throws {
        let server = try RestartableRedis()
        defer { withExtendedLifetime(server) {} }  // released early, it would stop Redis mid-test
        let socket = server.socket

        let redis = try RedisConnection(configuration: RedisConfiguration(endpoint: .unix(path: socket), connectTimeoutMillis: 500))
        try redis.xadd(stream: "s", maxLength: 100, fields: ["before": "1"])

        server.stop()
        var sawLoss = false
        do {
            try redis.ping()
        } catch {
            sawLoss = error.isRetryable
        }
        #expect(sawLoss, "a dead server is reported as a retryable error")

        try server.start()
        let recovered = eventually {
            (try? redis.xadd(stream: "s", maxLength: 100, fields: ["after": "1"])) != nil
        }
        #expect(recovered)
        #expect(redis.isConnected)
        #expect(try redis.xlen(stream: "s") == 1, "the restarted server has no persistence: only the new entry")
    }

    /// A service's stream publisher across a Redis outage: entries are dropped and counted while
    /// it is away, it comes back by itself, and the outage is logged once when it starts and once
    /// when it ends (not once per entry).
    @Test(.timeLimit(.minutes(1))) func publisherLogsAnOutageOnceAndResumes() throws {
        let server = try RestartableRedis()
        defer { withExtendedLifetime(server) {} }  // released early, it would stop Redis mid-test
        let socket = server.socket
        let lines = Mutex<[String]>([])
        let publisher = StreamPublisher(
            configuration: RedisConfiguration(endpoint: .unix(path: socket), connectTimeoutMillis: 500), maxLength: 100,
            log: { line in lines.withLock { $0.append(line) } })
        defer { publisher.stop() }
        func publish() { publisher.publish([StreamMessage(stream: "s", fields: [("k", "v")])]) }

        publish()
        #expect(eventually { publisher.published.load(ordering: .relaxed) == 1 })
        server.stop()
        for _ in 0..<50 {
            publish()
            usleep(20_000)
        }
        #expect(eventually { publisher.dropped.load(ordering: .relaxed) >= 40 })
        #expect(lines.withLock { $0 }.count == 1)
        #expect(lines.withLock { $0 }.first?.hasPrefix("redis streams: lost Redis at unix:\(socket)") == true)

        try server.start()
        #expect(eventually {
            publish()
            return publisher.published.load(ordering: .relaxed) >= 2
        })
        let logged = lines.withLock { $0 }
        #expect(logged.count == 2, "\(logged)")
        let dropped = publisher.dropped.load(ordering: .relaxed)
        #expect(logged.last?.contains("is back after") == true && logged.last?.hasSuffix("; \(dropped) entries were dropped meanwhile") == true, "\(logged)")
        let redis = try RedisConnection(configuration: RedisConfiguration(endpoint: .unix(path: socket)))
        #expect(try redis.xlen(stream: "s") >= 1, "entries after the outage reach the new server")
    }

    /// Entries the server refuses (here: the stream's key holds a hash) are dropped and counted,
    /// as before, but no longer without a word: the first refusal of the stream is logged with the
    /// server's reason and kept for `status`, and the log says when the stream takes entries again.
    /// Other streams are unaffected.
    @Test(.timeLimit(.minutes(1))) func publisherLogsARefusedStreamOnceAndItsRecovery() throws {
        let server = try RestartableRedis()
        defer { withExtendedLifetime(server) {} }
        let redis = try RedisConnection(configuration: RedisConfiguration(endpoint: .unix(path: server.socket)))
        _ = try redis.hset(key: "taken", fields: ["not": "a stream"])
        let lines = Mutex<[String]>([])
        let publisher = StreamPublisher(
            configuration: RedisConfiguration(endpoint: .unix(path: server.socket), connectTimeoutMillis: 500), maxLength: 100,
            log: { line in lines.withLock { $0.append(line) } })
        defer { publisher.stop() }
        for _ in 0..<5 {
            publisher.publish([StreamMessage(stream: "taken", fields: [("k", "v")]), StreamMessage(stream: "fine", fields: [("k", "v")])])
        }
        #expect(eventually { publisher.published.load(ordering: .relaxed) == 5 && publisher.dropped.load(ordering: .relaxed) == 5 })
        var logged = lines.withLock { $0 }
        #expect(logged.count == 1 && logged.first?.contains("refused an entry to taken") == true && logged.first?.contains("WRONGTYPE") == true, "\(logged)")
        #expect(publisher.statusJSON.contains(#""last_refusal":"taken: "#), "\(publisher.statusJSON)")
        _ = try redis.del(keys: ["taken"])
        publisher.publish([StreamMessage(stream: "taken", fields: [("k", "v")])])
        #expect(eventually { publisher.published.load(ordering: .relaxed) == 6 })
        logged = lines.withLock { $0 }
        #expect(logged.count == 2 && logged.last == "redis streams: Redis takes entries to taken again, after refusing 5", "\(logged)")
        #expect(try redis.xlen(stream: "taken") == 1 && redis.xlen(stream: "fine") == 5)
    }

    /// TCP instead of a Unix socket, with a password (and ACL user) required.
    @Test(.timeLimit(.minutes(1))) func tcpWithAuth() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestServers.uniqueName("redis-tcp")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var server: OwnRedis?
        var port = 0
        for _ in 0..<20 where server == nil {
            port = Int.random(in: 20_000...60_000)
            server = try? OwnRedis(port: port, directory: directory, password: "s3cret")
        }
        let running = try #require(server, "no free TCP port for a test Redis")
        defer { running.stop() }

        let authenticated = try RedisConnection(
            configuration: RedisConfiguration(url: "redis://default:s3cret@127.0.0.1:\(port)/1"))
        try authenticated.hset(key: "k", fields: ["v": "1"])
        #expect(try authenticated.hgetall(key: "k") == ["v": "1"])

        let anonymous = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(port)"))
        do {
            _ = try anonymous.hgetall(key: "k")
            Issue.record("a command without AUTH must be refused")
        } catch {
            guard case .server(let message) = error else {
                Issue.record("expected a server error, was \(error)")
                return
            }
            #expect(message.hasPrefix("NOAUTH"))
        }
        #expect(throws: RedisError.self) {
            try RedisConnection(configuration: RedisConfiguration(url: "redis://:wrong@127.0.0.1:\(port)"))
        }
    }

    @Test func asyncClientRunsOnItsOwnThread() async throws {
        let client = try await RedisClient(configuration: TestServers.redis(), name: "redis-test")
        defer { client.close() }
        let key = TestServers.uniqueName("async")
        let stored = try await client.withConnection { redis in
            try redis.hset(key: key, fields: ["a": "1"])
            defer { _ = try? redis.del(keys: [key]) }
            return try redis.hgetall(key: key)
        }
        #expect(stored == ["a": "1"])
    }
}

/// A redis-server process owned by one test.
/// A Redis of one test's own on a Unix socket in a fresh folder, which the test may stop and
/// start again on the same socket; stopped and removed when released.
final class RestartableRedis {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestServers.uniqueName("redis")).path
    var socket: String { "\(directory)/redis.sock" }
    private var server: OwnRedis?

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try start()
    }

    func start() throws { server = try OwnRedis(socket: socket, directory: directory) }

    func stop() {
        server?.stop()
        server = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct OwnRedis {
    let process: ChildProcess

    /// On a Unix socket.
    init(socket: String, directory: String) throws {
        try self.init(
            arguments: ["--port", "0", "--unixsocket", socket], directory: directory,
            probe: RedisConfiguration(endpoint: .unix(path: socket)))
    }

    /// On 127.0.0.1:port, requiring `password`.
    init(port: Int, directory: String, password: String) throws {
        try self.init(
            arguments: ["--port", String(port), "--bind", "127.0.0.1", "--requirepass", password], directory: directory,
            probe: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), password: password))
    }

    private init(arguments: [String], directory: String, probe: RedisConfiguration) throws {
        process = try ChildProcess(
            executable: "redis-server", arguments: arguments + ["--save", "", "--appendonly", "no", "--dir", directory],
            output: .discard)
        let started = eventually(timeout: .seconds(10)) {
            guard process.isRunning, let connection = try? RedisConnection(configuration: probe) else { return false }
            return (try? connection.ping()) != nil
        }
        guard started else {
            process.terminate(graceMillis: 1000)
            throw MissingServer(variable: "redis-server \(probe.endpoint)")
        }
    }

    func stop() {
        process.terminate(graceMillis: 5000)
    }
}
