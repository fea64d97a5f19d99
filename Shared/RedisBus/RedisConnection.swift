import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// A blocking connection to Redis over hiredis.
///
/// Threading: not thread-safe and blocking; use it from one dedicated thread (see `RedisClient`).
/// A broken connection is dropped and re-established by the next command, so a Redis restart
/// costs the caller one `connectionLost` error (retryable), not a dead process.
public final class RedisConnection {
    public let configuration: RedisConfiguration
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects immediately, so a wrong address fails here with a clear error.
    public init(configuration: RedisConfiguration) throws(RedisError) {
        _ = RedisConnection.ignoreBrokenPipes
        self.configuration = configuration
        try connect()
    }

    /// hiredis writes with plain `write()`: a write to a socket the server closed (restart) would
    /// raise SIGPIPE and kill the process. Errors are handled from the return value instead, so
    /// the signal is ignored process-wide, once, as network servers (and SwiftNIO) do.
    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    deinit {
        if let context { redisFree(context) }
    }

    public var isConnected: Bool { context != nil }

    private func timeval(millis: Int) -> timeval {
        Glibc.timeval(tv_sec: millis / 1000, tv_usec: (millis % 1000) * 1000)
    }

    private func connect() throws(RedisError) {
        let timeout = timeval(millis: configuration.connectTimeoutMillis)
        let created: UnsafeMutablePointer<redisContext>?
        switch configuration.endpoint {
        case .tcp(let host, let port): created = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unix(let path): created = redisConnectUnixWithTimeout(path, timeout)
        }
        guard let created else {
            throw .connectionFailed(endpoint: configuration.endpoint.description, detail: "out of memory")
        }
        if created.pointee.err != 0 {
            let detail = Self.errorText(created)
            redisFree(created)
            throw .connectionFailed(endpoint: configuration.endpoint.description, detail: detail)
        }
        // hiredis opens its socket without close-on-exec (libpq sets it on its own): a process
        // started meanwhile must not keep this connection open.
        _ = fcntl(created.pointee.fd, F_SETFD, FD_CLOEXEC)
        redisSetTimeout(created, timeval(millis: configuration.commandTimeoutMillis))
        context = created
        do {
            if let password = configuration.password {
                var auth = ["AUTH"]
                if let username = configuration.username { auth.append(username) }
                auth.append(password)
                _ = try command(auth)
            }
            if configuration.database != 0 {
                _ = try command(["SELECT", String(configuration.database)])
            }
        } catch {
            disconnect()
            throw .connectionFailed(endpoint: configuration.endpoint.description, detail: "\(error)")
        }
    }

    private func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
    }

    /// Sends one command (binary-safe arguments) and returns the reply. A server error reply is
    /// thrown as `.server`; an I/O failure drops the connection and throws `.connectionLost`.
    public func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisValue {
        if context == nil { try connect() }
        guard let context else { throw .connectionLost(detail: "not connected") }
        // SAFETY: each argument's bytes are copied into one buffer that outlives the call; argv
        // points into it and argvlen gives every length, so hiredis never reads past an argument.
        var offsets: [Int] = []
        var lengths: [Int] = []
        var storage: [UInt8] = []
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        storage.append(0)
        let raw = storage.withUnsafeBufferPointer { buffer -> UnsafeMutableRawPointer? in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return redisCommandArgv(context, Int32(arguments.count), &argv, lengths)
        }
        guard let raw else {
            let detail = Self.errorText(context)
            disconnect()
            throw .connectionLost(detail: detail)
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        let value = RedisValue(reply: reply)
        if case .error(let message) = value { throw .server(message: message) }
        return value
    }

    public func command(_ arguments: [String]) throws(RedisError) -> RedisValue {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Runs a blocking command with the socket timeout stretched past its BLOCK time.
    private func blockingCommand(_ arguments: [String], blockMillis: Int) throws(RedisError) -> RedisValue {
        if context == nil { try connect() }
        if let context { redisSetTimeout(context, timeval(millis: blockMillis + configuration.commandTimeoutMillis)) }
        defer {
            if let context { redisSetTimeout(context, timeval(millis: configuration.commandTimeoutMillis)) }
        }
        return try command(arguments)
    }
}

// MARK: - Commands

extension RedisConnection {
    public func ping() throws(RedisError) {
        let reply = try command(["PING"])
        guard reply.text == "PONG" else { throw .unexpectedReply(command: "PING", detail: "\(reply)") }
    }

    /// `XADD stream MAXLEN ~ maxLength * field value ...`: streams are always bounded.
    /// Returns the new entry's id.
    @discardableResult
    public func xadd(stream: String, maxLength: Int, fields: KeyValuePairs<String, String>) throws(RedisError) -> String {
        try xadd(stream: stream, maxLength: maxLength, fieldList: fields.map { ($0.key, $0.value) })
    }

    @discardableResult
    public func xadd(stream: String, maxLength: Int, fieldList: [(String, String)]) throws(RedisError) -> String {
        guard maxLength > 0 else { throw .invalidConfiguration("XADD \(stream): expected MAXLEN > 0, was \(maxLength)") }
        guard !fieldList.isEmpty else { throw .invalidConfiguration("XADD \(stream): expected at least one field, was none") }
        var arguments = ["XADD", stream, "MAXLEN", "~", String(maxLength), "*"]
        for (name, value) in fieldList {
            arguments.append(name)
            arguments.append(value)
        }
        let reply = try command(arguments)
        guard let id = reply.text else { throw .unexpectedReply(command: "XADD", detail: "\(reply)") }
        return id
    }

    /// `XGROUP CREATE stream group start MKSTREAM`. Returns false when the group already exists.
    @discardableResult
    public func xgroupCreate(stream: String, group: String, startId: String = "0") throws(RedisError) -> Bool {
        do {
            _ = try command(["XGROUP", "CREATE", stream, group, startId, "MKSTREAM"])
            return true
        } catch .server(let message) where message.hasPrefix("BUSYGROUP") {
            return false
        }
    }

    /// `XREADGROUP GROUP group consumer COUNT n BLOCK ms STREAMS stream... id...`.
    /// `id` is `>` for new entries, or `0` to re-read this consumer's own pending entries.
    /// Returns entries per stream, in the order of `streams`; empty when the block timed out.
    public func xreadgroup(
        group: String, consumer: String, streams: [(stream: String, id: String)], count: Int, blockMillis: Int?
    ) throws(RedisError) -> [(stream: String, entries: [StreamEntry])] {
        try readStreams(["XREADGROUP", "GROUP", group, consumer], streams: streams, count: count, blockMillis: blockMillis)
    }

    /// `XREAD COUNT n BLOCK ms STREAMS stream... id...` (no group: every reader sees every entry).
    /// `id` is the last id seen, or `$` for entries added from now on.
    public func xread(
        streams: [(stream: String, id: String)], count: Int, blockMillis: Int?
    ) throws(RedisError) -> [(stream: String, entries: [StreamEntry])] {
        try readStreams(["XREAD"], streams: streams, count: count, blockMillis: blockMillis)
    }

    /// `<head> COUNT n [BLOCK ms] STREAMS stream... id...`, blocking calls with a stretched timeout.
    private func readStreams(
        _ head: [String], streams: [(stream: String, id: String)], count: Int, blockMillis: Int?
    ) throws(RedisError) -> [(stream: String, entries: [StreamEntry])] {
        var arguments = head + ["COUNT", String(max(count, 1))]
        if let blockMillis { arguments += ["BLOCK", String(max(blockMillis, 0))] }
        arguments.append("STREAMS")
        arguments += streams.map(\.stream)
        arguments += streams.map(\.id)
        let reply =
            if let blockMillis { try blockingCommand(arguments, blockMillis: blockMillis) } else { try command(arguments) }
        return try Self.perStream(reply, command: head[0])
    }

    /// `XREVRANGE stream + - COUNT n`: the newest entries, newest first.
    public func xrevrange(stream: String, count: Int) throws(RedisError) -> [StreamEntry] {
        let reply = try command(["XREVRANGE", stream, "+", "-", "COUNT", String(max(count, 1))])
        guard let list = reply.array else { throw .unexpectedReply(command: "XREVRANGE", detail: "\(reply)") }
        return try Self.entries(list, command: "XREVRANGE")
    }

    /// The `[[stream, [[id, fields]…]]…]` reply of XREAD and XREADGROUP (null: the block timed out).
    private static func perStream(_ reply: RedisValue, command: String) throws(RedisError) -> [(stream: String, entries: [StreamEntry])] {
        if reply == .null { return [] }
        guard let perStream = reply.array else { throw .unexpectedReply(command: command, detail: "\(reply)") }
        var result: [(stream: String, entries: [StreamEntry])] = []
        for item in perStream {
            guard let pair = item.array, pair.count == 2, let name = pair[0].text, let list = pair[1].array else {
                throw .unexpectedReply(command: command, detail: "\(item)")
            }
            result.append((name, try entries(list, command: command)))
        }
        return result
    }

    /// `XACK stream group id...`; returns how many were acknowledged.
    @discardableResult
    public func xack(stream: String, group: String, ids: [String]) throws(RedisError) -> Int {
        guard !ids.isEmpty else { return 0 }
        let reply = try command(["XACK", stream, group] + ids)
        guard let count = reply.integer else { throw .unexpectedReply(command: "XACK", detail: "\(reply)") }
        return Int(count)
    }

    /// `XAUTOCLAIM stream group consumer minIdle start COUNT n`: takes over entries another
    /// consumer read but did not acknowledge within `minIdleMillis` (it died or hangs).
    public func xautoclaim(
        stream: String, group: String, consumer: String, minIdleMillis: Int, start: String = "0-0", count: Int = 100
    ) throws(RedisError) -> AutoClaimResult {
        let reply = try command([
            "XAUTOCLAIM", stream, group, consumer, String(minIdleMillis), start, "COUNT", String(max(count, 1)),
        ])
        guard let parts = reply.array, parts.count >= 2, let next = parts[0].text, let list = parts[1].array else {
            throw .unexpectedReply(command: "XAUTOCLAIM", detail: "\(reply)")
        }
        let deleted = parts.count > 2 ? (parts[2].array ?? []).compactMap(\.text) : []
        return AutoClaimResult(nextStart: next, entries: try Self.entries(list, command: "XAUTOCLAIM"), deletedIds: deleted)
    }

    public func xlen(stream: String) throws(RedisError) -> Int {
        let reply = try command(["XLEN", stream])
        guard let count = reply.integer else { throw .unexpectedReply(command: "XLEN", detail: "\(reply)") }
        return Int(count)
    }

    /// Number of entries read by the group's consumers and not yet acknowledged.
    public func xpendingCount(stream: String, group: String) throws(RedisError) -> Int {
        let reply = try command(["XPENDING", stream, group])
        guard let parts = reply.array, let count = parts.first?.integer else {
            throw .unexpectedReply(command: "XPENDING", detail: "\(reply)")
        }
        return Int(count)
    }

    /// `HSET key field value ...`; returns how many fields were new.
    @discardableResult
    public func hset(key: String, fields: [String: String]) throws(RedisError) -> Int {
        guard !fields.isEmpty else { return 0 }
        var arguments = ["HSET", key]
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            arguments.append(name)
            arguments.append(value)
        }
        let reply = try command(arguments)
        guard let count = reply.integer else { throw .unexpectedReply(command: "HSET", detail: "\(reply)") }
        return Int(count)
    }

    public func hgetall(key: String) throws(RedisError) -> [String: String] {
        let reply = try command(["HGETALL", key])
        guard let flat = reply.array else { throw .unexpectedReply(command: "HGETALL", detail: "\(reply)") }
        return try Self.fieldMap(flat, command: "HGETALL")
    }

    @discardableResult
    public func del(keys: [String]) throws(RedisError) -> Int {
        guard !keys.isEmpty else { return 0 }
        let reply = try command(["DEL"] + keys)
        return Int(reply.integer ?? 0)
    }

    private static func entries(_ list: [RedisValue], command: String) throws(RedisError) -> [StreamEntry] {
        var entries: [StreamEntry] = []
        entries.reserveCapacity(list.count)
        for item in list {
            guard let pair = item.array, pair.count == 2, let id = pair[0].text else {
                throw .unexpectedReply(command: command, detail: "\(item)")
            }
            // A claimed entry that was trimmed meanwhile comes back with a null field list.
            let fields = pair[1].array ?? []
            entries.append(StreamEntry(id: id, fields: try fieldMap(fields, command: command)))
        }
        return entries
    }

    private static func fieldMap(_ flat: [RedisValue], command: String) throws(RedisError) -> [String: String] {
        guard flat.count % 2 == 0 else { throw .unexpectedReply(command: command, detail: "an odd field list") }
        var map: [String: String] = [:]
        var index = 0
        while index < flat.count {
            guard let name = flat[index].text, let value = flat[index + 1].text else {
                throw .unexpectedReply(command: command, detail: "a non-string field")
            }
            map[name] = value
            index += 2
        }
        return map
    }
}
