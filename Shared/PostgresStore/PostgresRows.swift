/// The rows of a query result, copied out of libpq (text format).
public struct PostgresRows: Sendable, RandomAccessCollection {
    public let columns: [String]
    let values: [[String?]]
    /// Rows affected by INSERT/UPDATE/DELETE/COPY (0 for others).
    public let affectedRows: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(columns: columns, values: values[position])
    }
}

/// One row; read columns by position or name as a typed value.
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let values: [String?]

    /// The raw text of a column, nil for SQL NULL.
    public subscript(column: Int) -> String? { values[column] }

    public func decode<T: PostgresDecodable>(_ type: T.Type, at column: Int) throws(PostgresError) -> T {
        guard column < values.count else {
            throw .decoding(column: "#\(column)", expected: "a column index below \(values.count)", was: "\(column)")
        }
        guard let text = values[column] else {
            throw .decoding(column: columns[column], expected: T.postgresTypeName, was: "NULL")
        }
        guard let value = T(postgresText: text) else {
            throw .decoding(column: columns[column], expected: T.postgresTypeName, was: "\"\(text.prefix(64))\"")
        }
        return value
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, named name: String) throws(PostgresError) -> T {
        guard let index = columns.firstIndex(of: name) else {
            throw .decoding(column: name, expected: "a column of the result", was: "absent")
        }
        return try decode(type, at: index)
    }

    /// nil for SQL NULL, otherwise the decoded value.
    public func decodeOptional<T: PostgresDecodable>(_ type: T.Type, named name: String) throws(PostgresError) -> T? {
        guard let index = columns.firstIndex(of: name) else {
            throw .decoding(column: name, expected: "a column of the result", was: "absent")
        }
        if values[index] == nil { return nil }
        return try decode(type, at: index)
    }
}
