import DraizerCore
#if canImport(Glibc)
import Glibc
#endif

/// One `migrations/NNNN_name.sql` file.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var fileName: String
    public var sql: String

    /// FNV-1a of the file, recorded when applied, so an edited applied migration is caught.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Applies `migrations/NNNN_name.sql` in order, each in its own transaction, and records each in
/// `schema_migrations`. A second run applies nothing. A failing migration is rolled back whole,
/// so the schema stays as it was; later migrations are not attempted. Concurrent runners
/// serialise on an advisory lock.
public struct MigrationRunner: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    static let lockKey = 0x4452_5A4D_4947  // "DRZMIG"

    /// The migration files, sorted by version; misnamed `.sql` files and duplicate versions are errors.
    public func migrations() throws(PostgresError) -> [Migration] {
        guard let handle = opendir(directory) else {
            throw .migration(file: directory, detail: "expected a readable directory, was \(String(cString: strerror(errno)))")
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name.hasSuffix(".sql") { names.append(name) }
        }
        closedir(handle)
        var migrations: [Migration] = []
        for fileName in names.sorted() {
            let stem = fileName.dropLast(4)
            let digits = stem.prefix(while: { $0.isASCII && $0.isNumber })
            let rest = stem.dropFirst(digits.count)
            let validName = rest.count > 1 && rest.first == "_"
                && rest.dropFirst().allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
            guard digits.count == 4, let version = Int(digits), validName else {
                throw .migration(file: fileName, detail: "expected a name like 0001_create_tables.sql, was \(fileName)")
            }
            if let previous = migrations.last, previous.version == version {
                throw .migration(file: fileName, detail: "expected a unique version, was \(version) as in \(previous.fileName)")
            }
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(path: "\(directory)/\(fileName)")
            } catch {
                throw .migration(file: fileName, detail: "expected a readable file, was \(error)")
            }
            migrations.append(
                Migration(version: version, name: String(rest.dropFirst()), fileName: fileName, sql: String(decoding: bytes, as: UTF8.self)))
        }
        return migrations
    }

    /// Applies what is pending; returns the migrations it applied (empty when up to date).
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws(PostgresError) -> [Migration] {
        let all = try migrations()
        try connection.executeScript(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        try connection.query("SELECT pg_advisory_lock($1)", [MigrationRunner.lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [MigrationRunner.lockKey]) }

        var applied: [Int: String] = [:]
        for row in try connection.query("SELECT version, checksum FROM schema_migrations") {
            applied[try row.decode(Int.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        var done: [Migration] = []
        for migration in all {
            if let checksum = applied[migration.version] {
                guard checksum == migration.checksum else {
                    throw .migration(
                        file: migration.fileName,
                        detail: "expected the file as applied (checksum \(checksum)), was edited (checksum \(migration.checksum))")
                }
                continue
            }
            do {
                try connection.transaction { connection in
                    try connection.executeScript(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, migration.checksum])
                }
            } catch let error as PostgresError {
                throw .migration(file: migration.fileName, detail: "failed and was rolled back: \(error)")
            } catch {
                throw .migration(file: migration.fileName, detail: "failed and was rolled back: \(error)")
            }
            done.append(migration)
        }
        return done
    }
}
