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
/// PostgresNIO's handlers see nothing. Event-loop confined.
final class PipelineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One group sent and not yet answered.
    final class Waiter {
        var rows: [ByteBuffer?] = []
        var error: PipelineServerError?
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
        waiters.append(waiter)
        Self.writeParse(&outbound, statement)
        Self.writeSync(&outbound)
        scheduleFlush()
    }

    /// Sends one execution of a prepared statement; the waiter completes at its `ReadyForQuery`.
    /// Returns `nil` (and sends nothing) when the connection is closed.
    func execute(_ statement: PipelinedStatement, _ parameters: [PipelineParameter],
                 _ completion: @escaping (Result<[ByteBuffer?], any Error>) -> Void) -> Waiter? {
        guard isOpen, context != nil else { return nil }
        let waiter = Waiter(completion)
        waiters.append(waiter)
        Self.writeBind(&outbound, statement.name, parameters)
        Self.writeExecuteAndSync(&outbound)
        scheduleFlush()
        return waiter
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
        while let (type, body) = Self.nextMessage(&bytes) {
            guard receive(type, body) else {
                close(context, PipelineProtocolError(message: "unexpected message '\(Character(UnicodeScalar(type)))' from the server"))
                return
            }
        }
        if bytes.readableBytes > 0 {
            bytes.discardReadBytes()
            inbound = bytes
        }
    }

    /// Handles one backend message; `false` when it cannot belong to this conversation.
    private func receive(_ type: UInt8, _ body: ByteBuffer) -> Bool {
        switch type {
        case UInt8(ascii: "D"):
            guard let waiter = waiters.first else { return false }
            var body = body
            guard let columns = body.readInteger(as: Int16.self) else { return false }
            if columns == 0 { waiter.rows.append(nil); return true }
            guard let length = body.readInteger(as: Int32.self) else { return false }
            if length < 0 {
                waiter.rows.append(nil)
            } else {
                guard let value = body.readSlice(length: Int(length)) else { return false }
                waiter.rows.append(value)
            }
        case UInt8(ascii: "E"):
            guard let waiter = waiters.first else { return false }
            waiter.error = PipelineServerError(fields: body)
        case UInt8(ascii: "Z"):
            guard let waiter = waiters.popFirst() else { return false }
            if let error = waiter.error {
                waiter.finish(.failure(error))
            } else {
                waiter.finish(.success(waiter.rows))
            }
        case UInt8(ascii: "1"), UInt8(ascii: "2"), UInt8(ascii: "C"), UInt8(ascii: "n"), UInt8(ascii: "s"),
             UInt8(ascii: "I"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "3"):
            // ParseComplete, BindComplete, CommandComplete, NoData, PortalSuspended, EmptyQuery,
            // ParameterDescription, RowDescription, CloseComplete: nothing to keep.
            guard !waiters.isEmpty else { return false }
        case UInt8(ascii: "N"), UInt8(ascii: "S"), UInt8(ascii: "A"), UInt8(ascii: "K"):
            // Notices, parameter changes, notifications, key data: not part of any answer.
            break
        default:
            return false
        }
        return true
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
        while let waiter = waiters.popFirst() { waiter.finish(.failure(error)) }
    }

    // MARK: Wire format

    /// The next whole message in `buffer` (type byte and body), consuming it; `nil` until one has arrived.
    static func nextMessage(_ buffer: inout ByteBuffer) -> (UInt8, ByteBuffer)? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: Int32.self),
              length >= 4, buffer.readableBytes >= 1 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        guard let body = buffer.readSlice(length: Int(length) - 4) else { return nil }
        return (type, body)
    }

    /// Writes a message: its type, a length placeholder, `body`, then the real length.
    private static func message(_ buffer: inout ByteBuffer, _ type: Character, _ body: (inout ByteBuffer) -> Void) {
        buffer.writeInteger(UInt8(ascii: type.unicodeScalars.first!))
        let lengthAt = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        body(&buffer)
        buffer.setInteger(Int32(buffer.writerIndex - lengthAt), at: lengthAt)
    }

    private static func cString(_ buffer: inout ByteBuffer, _ string: String) {
        buffer.writeString(string)
        buffer.writeInteger(UInt8(0))
    }

    static func writeParse(_ buffer: inout ByteBuffer, _ statement: PipelinedStatement) {
        message(&buffer, "P") { buffer in
            cString(&buffer, statement.name)
            cString(&buffer, statement.sql)
            buffer.writeInteger(Int16(statement.parameterTypes.count))
            for type in statement.parameterTypes { buffer.writeInteger(type.oid) }
        }
    }

    /// `Bind` to the unnamed portal: parameters in binary (int8) or text, every result column as text.
    static func writeBind(_ buffer: inout ByteBuffer, _ name: String, _ parameters: [PipelineParameter]) {
        message(&buffer, "B") { buffer in
            buffer.writeInteger(UInt8(0))  // the unnamed portal
            cString(&buffer, name)
            buffer.writeInteger(Int16(parameters.count))
            for parameter in parameters { buffer.writeInteger(parameter.isBinary ? Int16(1) : Int16(0)) }
            buffer.writeInteger(Int16(parameters.count))
            for parameter in parameters {
                switch parameter {
                case .int64(let value):
                    buffer.writeInteger(Int32(8))
                    buffer.writeInteger(value)
                case .text(let value):
                    let lengthAt = buffer.writerIndex
                    buffer.writeInteger(Int32(0))
                    let written = buffer.writeString(value)
                    buffer.setInteger(Int32(written), at: lengthAt)
                }
            }
            buffer.writeInteger(Int16(1))
            buffer.writeInteger(Int16(0))  // results as text
        }
    }

    /// `Execute` (the unnamed portal, all rows) and `Sync`: 14 bytes that never change.
    static func writeExecuteAndSync(_ buffer: inout ByteBuffer) {
        buffer.writeBytes(executeAndSync)
    }

    static func writeSync(_ buffer: inout ByteBuffer) {
        buffer.writeBytes(executeAndSync.suffix(5))
    }

    private static let executeAndSync: [UInt8] = [
        UInt8(ascii: "E"), 0, 0, 0, 9, 0, 0, 0, 0, 0,
        UInt8(ascii: "S"), 0, 0, 0, 4,
    ]
}

/// The server refused one pipelined execution (the others on the connection are unaffected).
public struct PipelineServerError: Error, CustomStringConvertible, Sendable {
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
            switch type {
            case UInt8(ascii: "C"): sqlState = value
            case UInt8(ascii: "M"): message = value
            default: break
            }
        }
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String { "\(message) (SQLSTATE \(sqlState))" }
}

/// The server sent something that cannot be part of a pipelined answer; the connection is closed.
struct PipelineProtocolError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
