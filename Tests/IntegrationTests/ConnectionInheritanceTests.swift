import Foundation
import PostgresStore
import RedisBus
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Redis and PostgreSQL sockets are close-on-exec: a process started while a connection is open
/// (a benchmark's services, a tool's child) inherits neither, and a server sees a connection go
/// when its owner closes it, not when the last child holding a copy exits.
@Suite struct ConnectionInheritanceTests {
    @Test func aStartedProcessInheritsNeitherConnection() throws {
        let before = InheritedDescriptors.open()
        let redis = try RedisConnection(configuration: TestServers.redis())
        try redis.ping()
        let postgres = try PostgresConnection(configuration: PostgresConfiguration(connectionString: TestServers.postgresURL()))
        _ = try postgres.query("SELECT 1")
        let opened = InheritedDescriptors.open().filter { before[$0.key] != $0.value && $0.value.hasPrefix("socket:") }
        #expect(opened.count >= 2, "the two connections' sockets: \(opened)")
        let inherited = try #require(try InheritedDescriptors.ofAChild(), "the lister failed")
        #expect(inherited.contains { $0.hasPrefix("pipe:") }, "the lister's own stdout should be listed: \(inherited)")
        for (descriptor, target) in opened.sorted(by: { $0.key < $1.key }) {
            #expect(!inherited.contains(target), "descriptor \(descriptor) (\(target)) leaked into a child: \(inherited.sorted())")
        }
        withExtendedLifetime((redis, postgres)) {}
    }
}
