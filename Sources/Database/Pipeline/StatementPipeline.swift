import Logging
import Metrics
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// A read-only statement a `StatementPipeline` prepares on each of its connections.
public struct PipelinedStatement: Sendable, Hashable {
    public enum ParameterType: Sendable, Hashable {
        case int8, text
        var oid: UInt32 { self == .int8 ? 20 : 25 }
    }

    /// The prepared statement's name on the server.
    public var name: String
    /// The SQL; must only read, as an execution lost with its connection is run again on the pool.
    public var sql: String
    public var parameterTypes: [ParameterType]

    public init(name: String, sql: String, parameterTypes: [ParameterType]) {
        self.name = name
        self.sql = sql
        self.parameterTypes = parameterTypes
    }
}

/// One bind value: an `int8` travels in binary, text as text.
public enum PipelineParameter: Sendable {
    case int64(Int64)
    case text(String)

    var isBinary: Bool {
        if case .int64 = self { return true }
        return false
    }
}

/// Hot read statements pipelined on a few dedicated connections, one per event loop.
///
/// PostgresNIO runs one statement per connection at a time: a backend sleeps between statements and
/// is woken for each, and every statement is a lease from the pool and a hop between threads. Here a
/// statement is written on a connection owned by the caller's event loop, behind the ones already
/// sent; whatever pages read in one event-loop turn leaves in one `write`, and the backend runs the
/// executions back to back and answers them in order. Measured (BENCHMARKS.md, session 7) this cuts
/// what a product page costs PostgreSQL as well as the store.
///
/// Limits, by design:
/// - only statements named up front (`statements`), prepared at connect, with `int8`/`text` bind
///   values and text results;
/// - a slow statement delays the ones behind it on its connection: only short reads belong here,
///   and the connection's `statement_timeout` (the pool's session settings) bounds every one;
/// - no TLS (a URL that requires it gets no pipeline: every statement goes to the pool);
/// - at most `maximumDepth` executions wait on a connection; beyond that, or while a connection is
///   down, `execute` returns `nil` and the caller uses the pool.
public final class StatementPipeline: Sendable {
    public struct Configuration: Sendable {
        public var url: DatabaseURL
        public var settings: SessionSettings
        public var statements: [PipelinedStatement]
        /// The event loops to keep a connection on (the HTTP server's, so a page never changes thread).
        public var eventLoops: [any EventLoop]
        public var maximumDepth: Int

        /// Connections the pipeline keeps open: one per event loop, none for a URL that requires TLS.
        public var connections: Int { url.requireTLS ? 0 : eventLoops.count }

        public init(url: DatabaseURL, settings: SessionSettings, statements: [PipelinedStatement],
                    eventLoops: [any EventLoop] = Array(MultiThreadedEventLoopGroup.singleton.makeIterator()),
                    maximumDepth: Int = 64) {
            self.url = url
            self.settings = settings
            self.statements = statements
            self.eventLoops = eventLoops
            self.maximumDepth = maximumDepth
        }
    }

    /// One connection's place: the live handler, touched only on `eventLoop`.
    final class Slot: Sendable {
        let eventLoop: any EventLoop
        let handler: NIOLoopBoundBox<PipelineHandler?>

        init(eventLoop: any EventLoop) {
            self.eventLoop = eventLoop
            self.handler = NIOLoopBoundBox.makeEmptyBox(valueType: PipelineHandler.self, eventLoop: eventLoop)
        }
    }

    public let configuration: Configuration
    let slots: [Slot]
    let logger: Logger
    private let next = Atomic<UInt>(0)
    private let openCount = Atomic<Int>(0)
    private let answeredCount = Atomic<Int>(0)
    /// Connections open and taking statements.
    private let open = Gauge(label: "surge_db_pipeline_connections")
    /// Connections opened (a rise beyond the first ones means reconnects).
    private let opened = Counter(label: "surge_db_pipeline_connects_total")
    /// Statements that went to the pool instead (no open connection, too deep, or lost on the way).
    let fallbacks = Counter(label: "surge_db_pipeline_fallbacks_total")

    public init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.slots = configuration.connections == 0 ? [] : configuration.eventLoops.map(Slot.init)
        self.logger = logger
    }

    /// Runs `statement` on the connection of the caller's event loop (or the next one), returning the
    /// first column of every row; `nil` when no connection can take it now, or when the connection
    /// was lost before answering (the statement only reads: the caller runs it on the pool).
    /// `timeout`, when given, fails the wait with `DeadlineExceeded` (the server's
    /// `statement_timeout` still bounds the execution).
    public func execute(_ statement: PipelinedStatement, _ parameters: [PipelineParameter],
                        timeout: Duration? = nil) async throws -> [ByteBuffer?]? {
        guard !slots.isEmpty else {
            fallbacks.increment()
            return nil
        }
        let slot = slot()
        let maximumDepth = configuration.maximumDepth
        let outcome: Result<[ByteBuffer?], any Error>? = await withUnsafeContinuation { continuation in
            @Sendable func submit() {
                guard let handler = slot.handler.value, handler.prepared.contains(statement.name), handler.depth < maximumDepth else {
                    return continuation.resume(returning: nil)
                }
                let waiter = handler.execute(statement, parameters) { continuation.resume(returning: $0) }
                guard let waiter else { return continuation.resume(returning: nil) }
                if let timeout {
                    waiter.timer = slot.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(timeout.milliseconds)) {
                        waiter.finish(.failure(DeadlineExceeded()))
                    }
                }
            }
            if slot.eventLoop.inEventLoop { submit() } else { slot.eventLoop.execute(submit) }
        }
        switch outcome {
        case nil:
            fallbacks.increment()
            return nil
        case .success(let rows):
            answeredCount.add(1, ordering: .relaxed)
            return rows
        case .failure(let error as PipelineServerError):
            answeredCount.add(1, ordering: .relaxed)
            throw error
        case .failure(let error as DeadlineExceeded): throw error
        case .failure:  // the connection went away: the pool runs it
            fallbacks.increment()
            return nil
        }
    }

    /// Executions answered on a pipelined connection (errors included) since start.
    public var answered: Int { answeredCount.load(ordering: .relaxed) }

    /// Connections open and taking statements now.
    public var openConnections: Int { openCount.load(ordering: .relaxed) }

    /// Waits (polling every 10 ms) until every connection is open, for tests and start-up checks.
    public func waitUntilOpen(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while openConnections < slots.count {
            guard ContinuousClock.now < deadline else { throw DeadlineExceeded() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private func slot() -> Slot {
        if let current = MultiThreadedEventLoopGroup.currentEventLoop {
            for slot in slots where slot.eventLoop === current { return slot }
        }
        return slots[Int(next.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(slots.count))]
    }

    /// Keeps one connection open per event loop until the task is cancelled, reconnecting after a
    /// loss (0.1 s, doubling to 2 s between attempts); closes them on the way out.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for (index, slot) in slots.enumerated() {
                group.addTask { await self.maintain(slot, id: index) }
            }
        }
    }

    private func maintain(_ slot: Slot, id: Int) async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                // The PostgresConnection only wraps the channel now, but must live until it is closed.
                let (connection, channel) = try await connect(slot, id: id)
                backoff = .milliseconds(100)
                opened.increment()
                open.record(openCount.add(1, ordering: .relaxed).newValue)
                await withTaskCancellationHandler {
                    try? await channel.closeFuture.get()
                } onCancel: {
                    channel.close(promise: nil)
                }
                open.record(openCount.subtract(1, ordering: .relaxed).newValue)
                try? await slot.eventLoop.submit { slot.handler.value = nil }.get()
                withExtendedLifetime(connection) {}
            } catch {
                if !Task.isCancelled {
                    logger.debug("pipelined connection failed", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    /// Connects and authenticates with PostgresNIO on `slot`'s event loop, makes sure the startup is
    /// over (one `SELECT 1`), then takes the channel over and prepares the statements.
    private func connect(_ slot: Slot, id: Int) async throws -> (PostgresConnection, any Channel) {
        let url = configuration.url
        let channel = try await ClientBootstrap(group: slot.eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .connect(host: url.host, port: url.port).get()
        var connectionConfiguration = PostgresConnection.Configuration(
            establishedChannel: channel, username: url.user, password: url.password, database: url.database)
        connectionConfiguration.options.additionalStartupParameters =
            configuration.settings.startupParameters(applicationName: (url.applicationName ?? "surge") + " pipeline")
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(on: slot.eventLoop, configuration: connectionConfiguration,
                                                              id: 10_000 + id, logger: logger.driver)
        } catch {
            try? await channel.close()
            throw error
        }
        do {
            _ = try await connection.query("SELECT 1", logger: logger.driver).collect()
            let statements = configuration.statements
            // PostgresNIO's handlers stay in the channel (closing it closes the connection) but see no byte again.
            try await slot.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
                let handler = PipelineHandler(allocator: channel.allocator)
                do {
                    try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                } catch {
                    return slot.eventLoop.makeFailedFuture(error)
                }
                let prepared = slot.eventLoop.makePromise(of: Void.self)
                var remaining = statements.count
                if remaining == 0 {
                    slot.handler.value = handler
                    prepared.succeed()
                }
                for statement in statements {
                    handler.prepare(statement) { result in
                        guard remaining > 0 else { return }
                        switch result {
                        case .failure(let error):
                            remaining = 0
                            prepared.fail(error)
                        case .success:
                            remaining -= 1
                            if remaining == 0 {
                                slot.handler.value = handler
                                prepared.succeed()
                            }
                        }
                    }
                }
                return prepared.futureResult
            }.get()
        } catch {
            try? await connection.close()
            throw error
        }
        return (connection, channel)
    }
}
