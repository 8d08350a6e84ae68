import NIOCore
import NIOPosix
import PostgresNIO

extension ConnectionGate {
    /// Leases a connection from `client` with the time left before the request's deadline, at most `maximumWait`.
    func lease<Result>(from client: PostgresClient, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var timeout = configuration.maximumWait
        if let context = QueryContext.current {
            // Not `critical` here: a critical request waited for its permit; the pool itself has one
            // connection per permit, so this wait is short unless the server is unreachable.
            var plain = context
            plain.critical = false
            timeout = plain.leaseTimeout(maximumWait: timeout)
        }
        return try await Self.lease(from: client, timeout: timeout, body)
    }

    /// Leases a connection from `client`, giving up after `timeout`.
    ///
    /// PostgresNIO waits for a connection forever, also while the server is down and it backs off
    /// reconnecting (up to 60 s between attempts). Here a separate task holds the lease and hands the
    /// connection over; if none comes in time that task is cancelled (which withdraws the request from
    /// the pool) and the caller gets `PoolOverloaded(.noConnection)` at once: a 503, never a hang.
    static func lease<Result>(from client: PostgresClient, timeout: Duration, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let (connections, offer) = AsyncStream<PostgresConnection>.makeStream()
        let (done, finish) = AsyncStream<Void>.makeStream()
        // Unstructured on purpose: giving up must not wait for the lease to end. A pool that was
        // retired during recovery may never answer a late lease request, not even its cancellation;
        // a child task would then hold this request forever. If a connection arrives after we gave
        // up, `done` is already finished and it goes straight back to the pool.
        let leasing = Task {
            do {
                try await client.withConnection { connection in
                    offer.yield(connection)
                    offer.finish()
                    for await _ in done {}
                }
            } catch {
                // The pool refused at once (closed, or its own breaker tripped): do not wait for the timeout.
                offer.finish()
            }
        }
        // An event loop's timer, not a task sleeping: no task, no Dispatch timer and no thread hop per
        // lease (on the event loop the caller runs on, when it runs on one).
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) {
            offer.finish()
        }
        defer {
            finish.finish()
            timer.cancel()
        }
        var iterator = connections.makeAsyncIterator()
        guard let connection = await iterator.next() else {
            leasing.cancel()
            throw PoolOverloaded(.noConnection)
        }
        return try await body(connection)
    }
}
