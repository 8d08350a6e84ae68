import NIOCore

/// One request waiting for, or running on, a connection. Confined to its pool's event loop.
struct PendingRequest {
    /// The whole encoded request (head and body).
    var bytes: ByteBuffer
    var keepBody: Bool
    var isHead: Bool
    var enqueuedAtNanos: Int64
    /// Called once with the response or the transport error, the send time, and the completion time.
    var onComplete: (Result<ParsedResponse, TransportError>, _ sentAtNanos: Int64, _ doneAtNanos: Int64) -> Void
}

/// A keep-alive HTTP/1.1 connection running one request at a time (no pipelining).
final class HTTPConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let channel: any Channel
    private weak var pool: ConnectionPool?
    private var parser = ResponseParser()
    private(set) var pending: PendingRequest?
    private(set) var sentAtNanos: Int64 = 0
    private var closeReason: TransportError?
    private var closed = false

    init(channel: any Channel, pool: ConnectionPool) {
        self.channel = channel
        self.pool = pool
    }

    func send(_ request: PendingRequest) {
        parser.keepBody = request.keepBody
        parser.requestWasHead = request.isHead
        pending = request
        sentAtNanos = MonotonicClock.nowNanos()
        channel.writeAndFlush(request.bytes, promise: nil)
    }

    /// Gives up on the running request (read timeout) and closes the connection.
    func abort(_ reason: TransportError) {
        closeReason = reason
        channel.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        do {
            while buffer.readableBytes > 0 {
                guard let response = try parser.parse(&buffer) else { break }
                guard let request = pending else {
                    abort(.malformedResponse("response without a request"))
                    return
                }
                pending = nil
                let now = MonotonicClock.nowNanos()
                if response.closesConnection {
                    context.close(promise: nil)
                } else {
                    pool?.release(self)
                }
                request.onComplete(.success(response), sentAtNanos, now)
                if response.closesConnection { return }
            }
        } catch {
            abort(.malformedResponse(error.description))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeReason == nil { closeReason = .reset(String(describing: error)) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        let final = parser.connectionClosed()
        pool?.connectionClosed(self)
        if let request = pending {
            pending = nil
            let now = MonotonicClock.nowNanos()
            if let final {
                request.onComplete(.success(final), sentAtNanos, now)
            } else {
                request.onComplete(.failure(closeReason ?? .reset("closed by the server before a complete response")), sentAtNanos, now)
            }
        }
        context.fireChannelInactive()
    }
}

/// The monotonic clock every time in a run is read from.
public enum MonotonicClock {
    @inline(__always)
    public static func nowNanos() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }
}
