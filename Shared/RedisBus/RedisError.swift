/// Errors from Redis, classified so callers decide from the case, never from text.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not connect (server down, wrong address, AUTH refused). Retryable after a delay.
    case connectionFailed(endpoint: String, detail: String)
    /// The connection broke during a command; the next command reconnects. Retryable.
    case connectionLost(detail: String)
    /// The server answered with an error (`ERR ...`, `WRONGTYPE ...`, `NOGROUP ...`).
    case server(message: String)
    /// The reply had a shape the command does not produce.
    case unexpectedReply(command: String, detail: String)
    case invalidConfiguration(String)

    /// True for errors that may go away by themselves (network, restart).
    public var isRetryable: Bool {
        switch self {
        case .connectionFailed, .connectionLost: true
        case .server, .unexpectedReply, .invalidConfiguration: false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let endpoint, let detail): "redis \(endpoint): expected a connection, was refused: \(detail)"
        case .connectionLost(let detail): "redis: expected a reply, was a lost connection: \(detail)"
        case .server(let message): "redis server error: \(message)"
        case .unexpectedReply(let command, let detail): "redis \(command): expected another reply shape, was \(detail)"
        case .invalidConfiguration(let detail): "redis configuration: \(detail)"
        }
    }
}
