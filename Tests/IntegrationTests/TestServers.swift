import Foundation
import PostgresStore
import RedisBus
import Testing

/// Connection settings for the real servers `ops/test.sh` starts (postgres-nio style: from the
/// environment). A missing variable fails the test with the command to run, never skips it.
enum TestServers {
    static func environment(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw MissingServer(variable: name)
        }
        return value
    }

    static func redis() throws -> RedisConfiguration {
        try RedisConfiguration(url: environment("DRAIZER_TEST_REDIS_URL"))
    }

    static func postgresURL() throws -> String {
        try environment("DRAIZER_TEST_DATABASE_URL")
    }

    /// The repository's migrations directory.
    static var migrationsDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["DRAIZER_MIGRATIONS_DIR"] { return directory }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations").path
    }

    static func uniqueName(_ stem: String) -> String {
        "\(stem)_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
    }
}

struct MissingServer: Error, CustomStringConvertible {
    let variable: String
    var description: String { "\(variable) is not set: run the tests with ops/test.sh, which starts Redis and PostgreSQL" }
}

/// A database of its own for one test, dropped afterwards.
final class TestDatabase {
    let name: String
    let configuration: PostgresConfiguration
    private let admin: PostgresConnection

    init() throws {
        let url = try TestServers.postgresURL()
        admin = try PostgresConnection(configuration: PostgresConfiguration(connectionString: url))
        name = TestServers.uniqueName("drz")
        try admin.query("CREATE DATABASE \(PostgresConnection.quoteIdentifier(name))")
        configuration = try PostgresConfiguration(connectionString: Self.url(url, database: name))
    }

    deinit {
        _ = try? admin.query("DROP DATABASE IF EXISTS \(PostgresConnection.quoteIdentifier(name)) WITH (FORCE)")
    }

    func connect() throws -> PostgresConnection {
        try PostgresConnection(configuration: configuration)
    }

    /// `postgresql://host/db?query` with the database path replaced.
    static func url(_ url: String, database: String) -> String {
        guard let scheme = url.range(of: "://") else { return "\(url) dbname=\(database)" }
        let afterScheme = url[scheme.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? url.endIndex
        let queryStart = url[pathStart...].firstIndex(of: "?") ?? url.endIndex
        return String(url[..<pathStart]) + "/" + database + String(url[queryStart...])
    }
}

/// Polls `condition` until it holds or `timeout` passes (no fixed sleeps in tests).
func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
