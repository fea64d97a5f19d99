import CLibPQ
import DraizerCore
#if canImport(Glibc)
import Glibc
#endif

/// A blocking connection to PostgreSQL over libpq. Parameterized statements only: values never
/// become part of SQL text.
///
/// Threading: not thread-safe and blocking; use it from one dedicated thread (see
/// `PostgresClient`). A broken connection is reset by the next call.
public final class PostgresConnection {
    public let configuration: PostgresConfiguration
    private var connection: OpaquePointer?
    private var transactionDepth = 0

    public init(configuration: PostgresConfiguration) throws(PostgresError) {
        self.configuration = configuration
        try connect()
    }

    deinit {
        if let connection { PQfinish(connection) }
    }

    private func connect() throws(PostgresError) {
        guard let created = PQconnectdb(configuration.connectionString) else {
            throw .connectionFailed(detail: "out of memory")
        }
        guard PQstatus(created) == CONNECTION_OK else {
            let detail = Self.message(PQerrorMessage(created))
            PQfinish(created)
            throw .connectionFailed(detail: detail)
        }
        // NOTICEs (e.g. "table already exists, skipping") would go to stderr; they are not errors.
        PQsetNoticeProcessor(created, { _, _ in }, nil)
        connection = created
    }

    private static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "no detail" }
        return String(cString: text).trimmingWhitespace()
    }

    /// The live connection; reconnects when the previous one broke (server restart).
    private func live() throws(PostgresError) -> OpaquePointer {
        if let connection, PQstatus(connection) == CONNECTION_OK { return connection }
        if let connection {
            guard transactionDepth == 0 else {
                throw .connectionLost(detail: "connection broke inside a transaction")
            }
            PQreset(connection)
            if PQstatus(connection) == CONNECTION_OK { return connection }
            let detail = Self.message(PQerrorMessage(connection))
            throw .connectionLost(detail: detail)
        }
        try connect()
        return connection!
    }

    /// Turns a result into rows or an error, and frees it.
    private func consume(_ result: OpaquePointer?, connection: OpaquePointer) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw .connectionLost(detail: Self.message(PQerrorMessage(connection)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            break
        case PGRES_FATAL_ERROR where PQstatus(connection) != CONNECTION_OK:
            throw .connectionLost(detail: Self.message(PQresultErrorMessage(result)))
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "XX000"
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            throw .server(sqlState: state, message: primary ?? Self.message(PQresultErrorMessage(result)))
        }
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            values.append(
                (0..<Int32(columnCount)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, values: values, affectedRows: affected)
    }

    /// Runs one statement with `$1, $2, ...` parameters (nil = SQL NULL) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws(PostgresError) -> PostgresRows {
        let connection = try live()
        let texts: [String?] = parameters.map { $0?.postgresText }
        // SAFETY: strdup copies live until the deferred free, after PQexecParams has returned.
        let pointers: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { pointers.forEach { free($0) } }
        let values: [UnsafePointer<CChar>?] = pointers.map { $0.map { UnsafePointer($0) } }
        let result = PQexecParams(connection, sql, Int32(values.count), nil, values, nil, nil, 0)
        return try consume(result, connection: connection)
    }

    /// Runs SQL text that may hold several statements and no parameters (migration files only).
    public func executeScript(_ sql: String) throws(PostgresError) {
        let connection = try live()
        _ = try consume(PQexec(connection, sql), connection: connection)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls use savepoints.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let savepoint = "draizer_sp_\(transactionDepth)"
        try executeScript(transactionDepth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        do {
            let value = try body(self)
            transactionDepth -= 1
            try executeScript(transactionDepth == 0 ? "COMMIT" : "RELEASE SAVEPOINT \(savepoint)")
            return value
        } catch {
            transactionDepth -= 1
            // A failed rollback means the connection is gone; the server rolls back by itself then.
            try? executeScript(transactionDepth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint)")
            throw error
        }
    }

    /// `COPY table (columns) FROM STDIN` in text format: the fast way to insert many rows.
    /// Values are escaped (backslash, tab, newline, carriage return); nil is SQL NULL.
    /// Returns the number of rows the server stored. All rows or none are stored.
    @discardableResult
    public func copyIn(table: String, columns: [String], rows: some Sequence<[String?]>) throws(PostgresError) -> Int {
        let connection = try live()
        let columnList = columns.map(Self.quoteIdentifier).joined(separator: ", ")
        let start = PQexec(connection, "COPY \(Self.quoteQualified(table)) (\(columnList)) FROM STDIN")
        guard let start else { throw .connectionLost(detail: Self.message(PQerrorMessage(connection))) }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try consume(start, connection: connection)
            throw .server(sqlState: "XX000", message: "COPY did not start")
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var failure: PostgresError?
        func flush() {
            guard failure == nil, !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBytes { raw in
                PQputCopyData(connection, raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count))
            }
            if sent != 1 { failure = .connectionLost(detail: Self.message(PQerrorMessage(connection))) }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            guard row.count == columns.count else {
                failure = .invalidConfiguration("COPY \(table): expected \(columns.count) values per row, was \(row.count)")
                break
            }
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(0x09) }
                guard let value else {
                    buffer.append(contentsOf: [0x5C, 0x4E])  // \N
                    continue
                }
                for byte in value.utf8 {
                    switch byte {
                    case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                    case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                    case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                    case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                    default: buffer.append(byte)
                    }
                }
            }
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 { flush() }
            if failure != nil { break }
        }
        flush()
        // Ending with an error message makes the server abort the COPY: nothing is stored.
        PQputCopyEnd(connection, failure == nil ? nil : "client aborted COPY")
        var stored = 0
        var serverError: PostgresError?
        while let result = PQgetResult(connection) {
            do {
                stored += try consume(result, connection: connection).affectedRows
            } catch {
                serverError = serverError ?? error
            }
        }
        if let failure { throw failure }
        if let serverError { throw serverError }
        return stored
    }

    /// `"name"` with embedded quotes doubled.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    /// `schema.table` → `"schema"."table"`.
    static func quoteQualified(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { quoteIdentifier(String($0)) }
            .joined(separator: ".")
    }
}
