/// A ws/wss/http/https URL reduced to what a connection needs.
public struct TransportURL: Sendable, Equatable, CustomStringConvertible {
    /// `ws`, `wss`, `http` or `https`.
    public var scheme: String
    public var secure: Bool
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var target: String

    public init(scheme: String, host: String, port: Int, target: String) {
        self.scheme = scheme
        self.secure = scheme == "wss" || scheme == "https"
        self.host = host
        self.port = port
        self.target = target
    }

    public init(_ text: String) throws(TransportError) {
        let schemes: [(String, Bool, Int)] = [("wss://", true, 443), ("ws://", false, 80), ("https://", true, 443), ("http://", false, 80)]
        guard let (prefix, _, defaultPort) = schemes.first(where: { text.hasPrefix($0.0) }) else {
            throw .invalidURL(text, reason: "expected ws://, wss://, http:// or https://")
        }
        let rest = text.dropFirst(prefix.count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var target = String(rest[slash...])
        if target.isEmpty { target = "/" }
        var host = String(authority)
        var port = defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw .invalidURL(text, reason: "expected a port in 1...65535")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw .invalidURL(text, reason: "expected a host") }
        self.init(scheme: String(prefix.dropLast(3)), host: host, port: port, target: target)
    }

    public var description: String { "\(scheme)://\(host):\(port)\(target)" }

    /// A URL on the same origin with `path` appended to this one's path.
    public func appending(_ path: String) -> TransportURL {
        var copy = self
        copy.target = (target == "/" ? "" : target) + path
        return copy
    }
}

/// Connection-level failures, all retryable by reconnecting (after a backoff).
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case connectFailed(String, detail: String)
    case upgradeRefused(String)
    case httpStatus(Int, body: String)
    case timedOut(String)
    case closed

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "URL \(url): \(reason)"
        case .connectFailed(let url, let detail): "\(url): expected a connection, was refused: \(detail)"
        case .upgradeRefused(let url): "\(url): expected a WebSocket upgrade, was refused"
        case .httpStatus(let status, let body): "expected HTTP 200, was \(status): \(body.prefix(200))"
        case .timedOut(let what): "\(what): timed out"
        case .closed: "connection closed"
        }
    }

    /// Rate limits and server errors are worth a retry; a 4xx other than 429 is not.
    public var isRetryable: Bool {
        switch self {
        case .httpStatus(let status, _): status == 429 || status >= 500
        case .invalidURL, .upgradeRefused: false
        default: true
        }
    }
}
