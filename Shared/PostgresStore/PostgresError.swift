/// Errors from PostgreSQL, classified so callers decide from the case, never from text.
public enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not connect (server down, bad URL, authentication). Retryable after a delay.
    case connectionFailed(detail: String)
    /// The connection broke; the next call reconnects. Retryable.
    case connectionLost(detail: String)
    /// The server refused a statement. `sqlState` is the five-character SQLSTATE code.
    case server(sqlState: String, message: String)
    /// A column could not be read as the requested type.
    case decoding(column: String, expected: String, was: String)
    case invalidConfiguration(String)
    /// A migration file is misnamed, was edited after it was applied, or failed (schema unchanged).
    case migration(file: String, detail: String)

    public var isRetryable: Bool {
        switch self {
        case .connectionFailed, .connectionLost: true
        case .server(let state, _): state.hasPrefix("08") || state == "40001" || state == "40P01" || state == "57P01"
        case .decoding, .invalidConfiguration, .migration: false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let detail): "postgres: expected a connection, was refused: \(detail)"
        case .connectionLost(let detail): "postgres: expected a reply, was a lost connection: \(detail)"
        case .server(let state, let message): "postgres error \(state): \(message)"
        case .decoding(let column, let expected, let was): "postgres column \(column): expected \(expected), was \(was)"
        case .invalidConfiguration(let detail): "postgres configuration: \(detail)"
        case .migration(let file, let detail): "migration \(file): \(detail)"
        }
    }
}
