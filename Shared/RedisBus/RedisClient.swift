import BlockingCalls

/// An async front for one `RedisConnection`, which lives on its own dedicated thread: blocking
/// hiredis calls (including `XREADGROUP ... BLOCK`) never run on the cooperative pool.
///
/// Use one client per independent flow (e.g. one for publishing, one per blocking consumer): the
/// thread runs calls one at a time.
public final class RedisClient: Sendable {
    private let thread: DedicatedThread
    private let holder: ConnectionHolder

    /// Connects on the dedicated thread; throws when Redis cannot be reached.
    public init(configuration: RedisConfiguration, name: String = "redis") async throws {
        let thread = DedicatedThread(name: name)
        self.thread = thread
        self.holder = try await thread.run { ConnectionHolder(try RedisConnection(configuration: configuration)) }
    }

    /// Runs `body` with the connection, on the client's thread.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        let holder = self.holder
        return try await thread.run { try body(holder.connection) }
    }

    /// Ends the thread after the calls already queued.
    public func close() {
        thread.stop()
    }
}

/// Carries the connection into the client's thread jobs.
private final class ConnectionHolder: @unchecked Sendable {
    // @unchecked Sendable: the connection is created on, and only ever used from, the client's
    // single dedicated thread, which runs one job at a time.
    let connection: RedisConnection
    init(_ connection: RedisConnection) { self.connection = connection }
}
