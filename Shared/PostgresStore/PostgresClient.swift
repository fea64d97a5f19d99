import BlockingCalls

/// An async front for one `PostgresConnection` living on its own dedicated thread, so libpq's
/// blocking calls never run on the cooperative pool or an event loop.
public final class PostgresClient: Sendable {
    private let thread: DedicatedThread
    private let holder: PostgresConnectionHolder

    public init(configuration: PostgresConfiguration, name: String = "postgres") async throws {
        let thread = DedicatedThread(name: name)
        self.thread = thread
        self.holder = try await thread.run { PostgresConnectionHolder(try PostgresConnection(configuration: configuration)) }
    }

    /// Runs `body` with the connection, on the client's thread.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let holder = self.holder
        return try await thread.run { try body(holder.connection) }
    }

    public func close() {
        thread.stop()
    }
}

private final class PostgresConnectionHolder: @unchecked Sendable {
    // @unchecked Sendable: created on, and only used from, the client's single dedicated thread.
    let connection: PostgresConnection
    init(_ connection: PostgresConnection) { self.connection = connection }
}
