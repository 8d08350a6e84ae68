import Database
import Logging
import PostgresNIO
import Synchronization

/// Sessions a fault opens and keeps (a lock holder, a leaked connection): each on a pool of its own,
/// held by a task until `release()` (or until the fix terminates its backend).
final class HeldSessions: Sendable {
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Opens a session as `url` (its application name shows in pg_stat_activity), runs `setup` on it,
    /// and holds it; returns the backend pid once `setup` ran. `setup` may also never return (a
    /// statement that waits on a lock): then the pid is returned as soon as it is known.
    func hold(_ url: DatabaseURL, logger: Logger, setup: @escaping @Sendable (DatabaseConnection) async throws -> Void,
              waitForSetup: Bool = true) async throws -> Int {
        let (pids, continuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let task = Task {
            do {
                try await AdminSession.with(url, logger: logger, connections: 1) { database in
                    try await database.withConnection { connection in
                        let pid = try await connection.query("SELECT pg_backend_pid()").first?.decode(Int.self) ?? 0
                        if !waitForSetup { continuation.yield(.success(pid)) }
                        try await setup(connection)
                        if waitForSetup { continuation.yield(.success(pid)) }
                        // Held until released (cancelled); a terminated backend ends it sooner.
                        while !Task.isCancelled {
                            try await Task.sleep(for: .milliseconds(500))
                        }
                    }
                }
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        tasks.withLock { $0.append(task) }
        for await result in pids { return try result.get() }
        throw CancellationError()
    }

    /// Ends every held session (the pool closes; PostgreSQL rolls back an open transaction).
    func release() async {
        let held = tasks.withLock { tasks in defer { tasks = [] }; return tasks }
        for task in held { task.cancel() }
        for task in held { await task.value }
    }
}
