import NIOCore

/// The wire protocol of a pipelined connection: PostgreSQL's extended query protocol, written and
/// read directly, for the few named statements a `StatementPipeline` serves.
///
/// Each execution is one `Bind`/`Execute`/`Sync` group; the server answers every group with
/// `BindComplete`, `DataRow`s, `CommandComplete` (or an `ErrorResponse`) and one `ReadyForQuery`, in
/// the order the groups were sent. So the handler keeps a FIFO of waiters and completes the oldest at
/// each `ReadyForQuery`. An error ends only its own group: the server skips to the next `Sync`, and the
/// groups behind it run as usual.
///
/// The handler sits first in a channel that PostgresNIO connected and authenticated (it handles TLS
/// refusal, SCRAM and the startup parameters); from then on every inbound byte is the handler's and
/// PostgresNIO's handlers see nothing. Event-loop confined. The conversation itself is
/// `PipelineStateMachine` (typed `BackendMessage`s in, actions out); this handler only moves bytes,
/// keeps the waiters in the same order and runs the actions.
final class PipelineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One group sent and not yet answered.
    final class Waiter {
        /// Called once, on the event loop; `nil` once the caller gave up (its deadline passed).
        var completion: ((Result<[ByteBuffer?], any Error>) -> Void)?
        /// The caller's deadline, cancelled when the answer comes first.
        var timer: Scheduled<Void>?

        init(_ completion: @escaping (Result<[ByteBuffer?], any Error>) -> Void) {
            self.completion = completion
        }

        func finish(_ result: Result<[ByteBuffer?], any Error>) {
            let completion = self.completion
            self.completion = nil
            timer?.cancel()
            timer = nil
            completion?(result)
        }
    }

    private var context: ChannelHandlerContext?
    private var state = PipelineStateMachine()
    private var waiters = CircularBuffer<Waiter>(initialCapacity: 64)
    private var inbound: ByteBuffer?
    private var outbound: ByteBuffer
    private var flushScheduled = false
    private(set) var isOpen = true
    /// Statements this connection has prepared (`Parse` sent and answered), by name.
    private(set) var prepared: Set<String> = []

    init(allocator: ByteBufferAllocator) {
        outbound = allocator.buffer(capacity: 4096)
    }

    /// Groups sent and not yet answered.
    var depth: Int { waiters.count }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        failAll(ConnectionLost())
    }

    // MARK: Sending

    /// Sends `Parse` for `statement` and a `Sync`; `completion` gets no rows, or the server's error.
    func prepare(_ statement: PipelinedStatement, _ completion: @escaping (Result<[ByteBuffer?], any Error>) -> Void) {
        guard isOpen, context != nil else { return completion(.failure(ConnectionLost())) }
        let name = statement.name
        let waiter = Waiter { [weak self] result in
            if case .success = result { self?.prepared.insert(name) }
            completion(result)
        }
        enqueue(waiter)
        FrontendMessage.parse(statement).encode(into: &outbound)
        FrontendMessage.sync.encode(into: &outbound)
        scheduleFlush()
    }

    /// Sends one execution of a prepared statement; the waiter completes at its `ReadyForQuery`.
    /// Returns `nil` (and sends nothing) when the connection is closed.
    func execute(_ statement: PipelinedStatement, _ parameters: [PipelineParameter],
                 _ completion: @escaping (Result<[ByteBuffer?], any Error>) -> Void) -> Waiter? {
        guard isOpen, context != nil else { return nil }
        let waiter = Waiter(completion)
        enqueue(waiter)
        FrontendMessage.bind(name: statement.name, parameters).encode(into: &outbound)
        FrontendMessage.execute.encode(into: &outbound)
        FrontendMessage.sync.encode(into: &outbound)
        scheduleFlush()
        return waiter
    }

    /// A group is being sent: its waiter joins the line, in the state machine's order.
    private func enqueue(_ waiter: Waiter) {
        state.sent()
        waiters.append(waiter)
    }

    /// Everything written in this event-loop turn leaves in one `write`: the executions that pages
    /// read together in one turn reach the server together, and its backend runs them back to back.
    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            guard let context = self.context, outbound.readableBytes > 0 else { return }
            let bytes = outbound
            outbound = context.channel.allocator.buffer(capacity: max(4096, bytes.readableBytes))
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        }
    }

    // MARK: Receiving

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var pending = inbound, pending.readableBytes > 0 {
            pending.writeBuffer(&bytes)
            bytes = pending
        }
        inbound = nil
        do {
            while let message = try BackendMessage.decode(from: &bytes) {
                switch state.receive(message) {
                case .none:
                    break
                case .finishOldest(let result):
                    waiters.popFirst()?.finish(result.mapError { $0 })
                case .close(let error):
                    return close(context, error)
                }
            }
        } catch {
            return close(context, error)
        }
        if bytes.readableBytes > 0 {
            bytes.discardReadBytes()
            inbound = bytes
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        failAll(ConnectionLost())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context, error)
    }

    private func close(_ context: ChannelHandlerContext, _ error: any Error) {
        isOpen = false
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        isOpen = false
        _ = state.abandonAll()
        while let waiter = waiters.popFirst() { waiter.finish(.failure(error)) }
    }
}

/// The server refused one pipelined execution (the others on the connection are unaffected).
public struct PipelineServerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The SQLSTATE (`57014` for a statement timeout, for example).
    public var sqlState: String
    public var message: String

    public init(sqlState: String, message: String) {
        self.sqlState = sqlState
        self.message = message
    }

    /// Reads an `ErrorResponse` body: (field type, C string) pairs ending with a zero byte.
    init(fields: ByteBuffer) {
        var fields = fields
        var sqlState = "XX000"
        var message = "the server refused the statement"
        while let type = fields.readInteger(as: UInt8.self), type != 0 {
            guard let end = fields.readableBytesView.firstIndex(of: 0),
                  let value = fields.readString(length: end - fields.readerIndex) else { break }
            fields.moveReaderIndex(forwardBy: 1)
            switch Field(rawValue: type) {
            case .sqlState: sqlState = value
            case .message: message = value
            case nil: break
            }
        }
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String { "\(message) (SQLSTATE \(sqlState))" }

    /// The `ErrorResponse` fields kept (PostgreSQL's protocol, "Error and Notice Message Fields").
    private enum Field: UInt8 {
        case sqlState = 0x43  // C
        case message = 0x4D   // M
    }
}

/// The server sent something that cannot be part of a pipelined answer; the connection is closed.
struct PipelineProtocolError: Error, CustomStringConvertible, Equatable {
    var message: String
    var description: String { message }
}
