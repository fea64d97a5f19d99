import Foundation
import PostgresStore
import RedisBus
import ServiceKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Redis and PostgreSQL sockets are close-on-exec: a process started while a connection is open
/// (a benchmark's services, a tool's child) inherits neither, and a server sees a connection go
/// when its owner closes it, not when the last child holding a copy exits.
@Suite struct ConnectionInheritanceTests {
    /// This process's open descriptors and what they point at (`socket:[1234]`).
    static func descriptors() -> [Int32: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        var found: [Int32: String] = [:]
        for name in names {
            guard let descriptor = Int32(name),
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")
            else { continue }
            found[descriptor] = target
        }
        return found
    }

    /// What a shell started now was handed.
    static func inheritedByAChild() throws -> Set<String> {
        let lister = try ChildProcess(executable: "sh", arguments: ["-c", "for f in /proc/$$/fd/*; do readlink \"$f\"; done"], output: .pipe)
        let inherited = Set(lister.readAll(timeoutMillis: 5000))
        #expect(lister.wait() == 0)
        return inherited
    }

    @Test func aStartedProcessInheritsNeitherConnection() throws {
        let before = Self.descriptors()
        let redis = try RedisConnection(configuration: TestServers.redis())
        try redis.ping()
        let postgres = try PostgresConnection(configuration: PostgresConfiguration(connectionString: TestServers.postgresURL()))
        _ = try postgres.query("SELECT 1")
        let opened = Self.descriptors().filter { before[$0.key] != $0.value && $0.value.hasPrefix("socket:") }
        #expect(opened.count >= 2, "the two connections' sockets: \(opened)")
        let inherited = try Self.inheritedByAChild()
        #expect(inherited.contains { $0.hasPrefix("pipe:") }, "the lister's own stdout should be listed: \(inherited)")
        for (descriptor, target) in opened.sorted(by: { $0.key < $1.key }) {
            #expect(!inherited.contains(target), "descriptor \(descriptor) (\(target)) leaked into a child: \(inherited.sorted())")
        }
        withExtendedLifetime((redis, postgres)) {}
    }
}
