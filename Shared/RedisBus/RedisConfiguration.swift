/// Where and how to reach Redis.
///
/// URLs: `redis://[user:password@]host[:port][/db]` or `unix:///path/to/redis.sock[?db=N&password=P&user=U]`.
public struct RedisConfiguration: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): "\(host):\(port)"
            case .unix(let path): "unix:\(path)"
            }
        }
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int
    public var connectTimeoutMillis: Int
    /// Time a non-blocking command may take before the connection counts as lost.
    public var commandTimeoutMillis: Int

    public init(
        endpoint: Endpoint, username: String? = nil, password: String? = nil, database: Int = 0,
        connectTimeoutMillis: Int = 2000, commandTimeoutMillis: Int = 5000
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeoutMillis = connectTimeoutMillis
        self.commandTimeoutMillis = commandTimeoutMillis
    }

    public init(url: String) throws(RedisError) {
        func invalid(_ reason: String) -> RedisError { .invalidConfiguration("Redis URL: \(reason)") }
        if url.hasPrefix("unix://") {
            let rest = url.dropFirst("unix://".count)
            let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = String(parts[0])
            guard path.hasPrefix("/") else { throw invalid("expected an absolute socket path after unix://, was \"\(path)\"") }
            self.init(endpoint: .unix(path: path))
            if parts.count == 2 {
                for pair in parts[1].split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard kv.count == 2 else { throw invalid("expected key=value in the query, was \"\(pair)\"") }
                    switch kv[0] {
                    case "db":
                        guard let db = Int(kv[1]), db >= 0 else { throw invalid("expected a database number, was \"\(kv[1])\"") }
                        database = db
                    case "password": password = String(kv[1])
                    case "user": username = String(kv[1])
                    default: throw invalid("expected db, password or user in the query, was \"\(kv[0])\"")
                    }
                }
            }
            return
        }
        guard url.hasPrefix("redis://") else { throw invalid("expected redis:// or unix://, was another scheme") }
        var rest = Substring(url.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                username = credentials[..<colon].isEmpty ? nil : String(credentials[..<colon])
                password = String(credentials[credentials.index(after: colon)...])
            } else {
                password = String(credentials)
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else { throw invalid("expected a database number after /, was \"\(dbText)\"") }
                database = db
            }
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let parsed = Int(rest[rest.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw invalid("expected a port in 1...65535, was \"\(rest[rest.index(after: colon)...])\"")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw invalid("expected a host name, was empty") }
        self.init(endpoint: .tcp(host: host, port: port), username: username, password: password, database: database)
    }
}
