import PostgresNIO

extension ConnectionGate {
    /// Leases a connection from `client`, giving up at the request's deadline or after `maximumWait`.
    ///
    /// PostgresNIO waits for a connection forever, also while the server is down and it backs off
    /// reconnecting (up to 60 s between attempts). Here a child task holds the lease and hands the
    /// connection over; if none comes in time the child is cancelled (which withdraws the request from
    /// the pool) and the caller gets `PoolOverloaded(.acquireTimeout)` at once: a 503, never a hang.
    func lease<Result>(from client: PostgresClient, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var timeout = configuration.maximumWait
        if let remaining = QueryContext.current?.remaining { timeout = min(timeout, max(.zero, remaining)) }
        let deadline = ContinuousClock.now + timeout
        let (connections, offer) = AsyncStream<PostgresConnection>.makeStream()
        let (done, finish) = AsyncStream<Void>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    offer.yield(connection)
                    offer.finish()
                    for await _ in done {}
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                offer.finish()
            }
            defer {
                finish.finish()
                group.cancelAll()
            }
            var iterator = connections.makeAsyncIterator()
            guard let connection = await iterator.next() else { throw PoolOverloaded(.acquireTimeout) }
            return try await body(connection)
        }
    }
}
