import Foundation  // String.range(of:) for URL parsing

/// How to reach PostgreSQL: a libpq connection string, either a URL
/// (`postgresql://user@host:port/db`, `postgresql:///db?host=/socket/dir&port=5432`) or
/// `key=value` pairs. Empty means libpq's own defaults and `PG*` environment variables.
public struct PostgresConfiguration: Sendable, Equatable {
    public var connectionString: String

    public init(connectionString: String) throws(PostgresError) {
        let trimmed = connectionString.trimmingWhitespace()
        let isURL = trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://")
        let isKeyValue = trimmed.isEmpty || trimmed.contains("=")
        guard isURL || isKeyValue else {
            throw .invalidConfiguration(
                "expected postgresql://... or key=value pairs, was a string of another form")
        }
        self.connectionString = trimmed
    }

    /// `DATABASE_URL` when set, otherwise libpq's `PG*` variables and defaults.
    public static func fromEnvironment(_ environment: [String: String]) throws(PostgresError) -> PostgresConfiguration {
        try PostgresConfiguration(connectionString: environment["DATABASE_URL"] ?? "")
    }

    /// Connection string with any password replaced, for logs and errors.
    public var redacted: String {
        var text = connectionString
        if let range = text.range(of: "password=") {
            let end = text[range.upperBound...].firstIndex(where: { $0 == " " || $0 == "&" }) ?? text.endIndex
            text.replaceSubrange(range.upperBound..<end, with: "***")
        }
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        return text
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
