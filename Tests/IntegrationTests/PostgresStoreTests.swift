import DraizerCore
import Foundation
import PostgresStore
import Testing

@Suite struct PostgresStoreTests {
    @Test func hostileStringIsStoredVerbatim() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        try postgres.query("CREATE TABLE x (id integer)")
        try postgres.query("CREATE TABLE notes (body text)")
        let hostile = "'); DROP TABLE x;--"
        try postgres.query("INSERT INTO notes (body) VALUES ($1)", [hostile])
        let rows = try postgres.query("SELECT body FROM notes WHERE body = $1", [hostile])
        #expect(rows.count == 1)
        #expect(try rows[0].decode(String.self, at: 0) == hostile)
        let tables = try postgres.query("SELECT count(*) FROM pg_tables WHERE tablename = $1", ["x"])
        #expect(try tables[0].decode(Int.self, at: 0) == 1, "table x must survive")
    }

    @Test func typedDecodingIsExact() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        let row = try postgres.query(
            "SELECT $1::numeric AS price, $2::boolean AS ok, NULL::integer AS missing, 42::bigint AS n, 'abc' AS word",
            [ExactDecimal("0.00000100"), true])[0]
        #expect(try row.decode(ExactDecimal.self, named: "price").description == "0.00000100")
        #expect(try row.decode(Bool.self, named: "ok"))
        #expect(try row.decodeOptional(Int.self, named: "missing") == nil)
        #expect(try row.decode(Int64.self, named: "n") == 42)
        #expect(throws: PostgresError.decoding(column: "missing", expected: "integer", was: "NULL")) {
            try row.decode(Int.self, named: "missing")
        }
        #expect(throws: PostgresError.decoding(column: "word", expected: "integer", was: "\"abc\"")) {
            try row.decode(Int.self, named: "word")
        }
        #expect(throws: PostgresError.self) { try row.decode(Int.self, named: "absent") }
    }

    @Test func serverErrorsCarrySQLState() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        #expect(throws: PostgresError.server(sqlState: "42P01", message: "relation \"nowhere\" does not exist")) {
            try postgres.query("SELECT * FROM nowhere")
        }
        // The connection stays usable after an error.
        #expect(try postgres.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
    }

    @Test func transactionsCommitOrRollBack() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        try postgres.query("CREATE TABLE t (v integer)")
        try postgres.transaction { connection in
            try connection.query("INSERT INTO t VALUES (1)")
        }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try postgres.transaction { connection in
                try connection.query("INSERT INTO t VALUES (2)")
                throw Abort()
            }
        }
        try postgres.transaction { connection in
            try connection.query("INSERT INTO t VALUES (3)")
            try? connection.transaction { inner in
                try inner.query("INSERT INTO t VALUES (4)")
                throw Abort()
            }
        }
        let values = try postgres.query("SELECT v FROM t ORDER BY v").map { try $0.decode(Int.self, at: 0) }
        #expect(values == [1, 3])
    }

    @Test func copyOfOneHundredThousandRows() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        try postgres.query("CREATE TABLE ticks (id bigint, price numeric, note text)")
        let tricky = "tab\there\nnew line \\ backslash '); DROP TABLE ticks;--"
        let rows = (0..<100_000).lazy.map { index -> [String?] in
            [String(index), "65000.\(index % 100)", index == 7 ? tricky : (index % 10 == 0 ? nil : "n\(index)")]
        }
        let stored = try postgres.copyIn(table: "ticks", columns: ["id", "price", "note"], rows: rows)
        #expect(stored == 100_000)
        #expect(try postgres.query("SELECT count(*) FROM ticks")[0].decode(Int.self, at: 0) == 100_000)
        #expect(try postgres.query("SELECT note FROM ticks WHERE id = 7")[0].decode(String.self, at: 0) == tricky)
        #expect(try postgres.query("SELECT note FROM ticks WHERE id = 10")[0][0] == nil)
        #expect(try postgres.query("SELECT price FROM ticks WHERE id = 42")[0].decode(ExactDecimal.self, at: 0) == "65000.42")
    }

    @Test func copyWithABadRowStoresNothing() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        try postgres.query("CREATE TABLE ticks (id bigint, note text)")
        #expect(throws: PostgresError.self) {
            try postgres.copyIn(table: "ticks", columns: ["id", "note"], rows: [["1", "a"], ["2"]])
        }
        #expect(throws: PostgresError.self) {
            try postgres.copyIn(table: "ticks", columns: ["id", "note"], rows: [["1", "a"], ["not a number", "b"]])
        }
        #expect(try postgres.query("SELECT count(*) FROM ticks")[0].decode(Int.self, at: 0) == 0)
        #expect(try postgres.copyIn(table: "ticks", columns: ["id", "note"], rows: [["3", "c"]]) == 1)
    }

    @Test func badURLAndDownServerAreClear() throws {
        #expect(throws: PostgresError.self) { try PostgresConfiguration(connectionString: "mysql:localhost") }
        let down = try PostgresConfiguration(connectionString: "postgresql:///postgres?host=/nonexistent&port=1&connect_timeout=2")
        do {
            _ = try PostgresConnection(configuration: down)
            Issue.record("connecting to a missing server must fail")
        } catch {
            #expect(error.isRetryable)
            #expect(error.description.contains("/nonexistent"))
        }
        let secret = try PostgresConfiguration(connectionString: "postgresql://trader:hunter2@db:5432/draizer")
        #expect(!secret.redacted.contains("hunter2"))
    }

    @Test func asyncClientRunsOnItsOwnThread() async throws {
        let database = try TestDatabase()
        let client = try await PostgresClient(configuration: database.configuration)
        defer { client.close() }
        let answer = try await client.withConnection { try $0.query("SELECT 40 + 2")[0].decode(Int.self, at: 0) }
        #expect(answer == 42)
    }
}

@Suite struct MigrationTests {
    func directory(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(TestServers.uniqueName("migrations")).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, sql) in files {
            try sql.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8)
        }
        return path
    }

    @Test func repositoryMigrationsApplyOnceAndAreIdempotent() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        let runner = MigrationRunner(directory: TestServers.migrationsDirectory)
        let first = try runner.migrate(postgres)
        #expect(!first.isEmpty)
        #expect(first.map(\.version) == first.map(\.version).sorted())
        #expect(try runner.migrate(postgres).isEmpty, "a second run applies nothing")
        let sources = try postgres.query("SELECT name FROM sources ORDER BY id").map { try $0.decode(String.self, at: 0) }
        #expect(sources == SourceId.all.map(\.name), "database ids match DraizerCore's SourceId")
    }

    @Test func failingMigrationLeavesSchemaUnchanged() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        let path = try directory([
            "0001_first.sql": "CREATE TABLE first (id integer);",
            "0002_broken.sql": "CREATE TABLE second (id integer);\nINSERT INTO first VALUES (1);\nSELEC oops;",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let runner = MigrationRunner(directory: path)
        do {
            try runner.migrate(postgres)
            Issue.record("a broken migration must fail")
        } catch {
            guard case .migration(let file, let detail) = error else {
                Issue.record("expected a migration error, was \(error)")
                return
            }
            #expect(file == "0002_broken.sql")
            #expect(detail.contains("syntax error"))
        }
        let tables = try postgres.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            .map { try $0.decode(String.self, at: 0) }
        #expect(tables == ["first", "schema_migrations"], "0002's table must not exist")
        #expect(try postgres.query("SELECT count(*) FROM first")[0].decode(Int.self, at: 0) == 0)
        #expect(try postgres.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, at: 0) } == [1])

        try "CREATE TABLE second (id integer);".write(toFile: "\(path)/0002_broken.sql", atomically: true, encoding: .utf8)
        #expect(try runner.migrate(postgres).map(\.version) == [2])
    }

    @Test func editedOrMisnamedMigrationsAreRefused() throws {
        let database = try TestDatabase()
        let postgres = try database.connect()
        let path = try directory(["0001_first.sql": "CREATE TABLE first (id integer);"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let runner = MigrationRunner(directory: path)
        try runner.migrate(postgres)
        try "CREATE TABLE first (id bigint);".write(toFile: "\(path)/0001_first.sql", atomically: true, encoding: .utf8)
        #expect(throws: PostgresError.self) { try runner.migrate(postgres) }

        let misnamed = try directory(["1_first.sql": "SELECT 1;"])
        defer { try? FileManager.default.removeItem(atPath: misnamed) }
        #expect(
            throws: PostgresError.migration(file: "1_first.sql", detail: "expected a name like 0001_create_tables.sql, was 1_first.sql")
        ) {
            try MigrationRunner(directory: misnamed).migrate(postgres)
        }
        #expect(throws: PostgresError.self) { try MigrationRunner(directory: "/nonexistent").migrate(postgres) }
    }
}
