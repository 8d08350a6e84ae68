import NIOCore
import NIOPosix

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with `200 ok`, except that it is
/// frozen for `freeze` at the end of every `period`: requests arriving then are answered when it thaws.
///
/// With arrivals at a fixed rate, a 1 s freeze every 10 s gives a true p99 of 900 ms.
public final class StallServer: Sendable {
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Starts the server; `freeze: .zero` never freezes.
    ///
    /// - Parameters:
    ///   - originNanos: the monotonic time periods are counted from (default: now); the self-test passes
    ///     the run's start, so a run that starts late still sees whole freezes.
    public static func start(period: TimeAmount = .seconds(10), freeze: TimeAmount = .seconds(1),
                             originNanos: Int64? = nil) async throws -> StallServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let startNanos = originNanos ?? MonotonicClock.nowNanos()
        let clock = StallClock(startNanos: startNanos, periodNanos: period.nanoseconds, freezeNanos: freeze.nanoseconds)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StallHandler(clock: clock))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return StallServer(group: group, channel: channel, port: channel.localAddress?.port ?? 0)
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, port: Int) {
        self.group = group
        self.channel = channel
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)/" }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// When the stall server is frozen: during the last `freezeNanos` of every period since it started.
struct StallClock: Sendable {
    var startNanos: Int64
    var periodNanos: Int64
    var freezeNanos: Int64

    /// Nanoseconds until the server thaws (0 when it is not frozen).
    func delayNanos(at now: Int64) -> Int64 {
        guard freezeNanos > 0 else { return 0 }
        guard now >= startNanos else { return 0 }
        let phase = (now - startNanos) % periodNanos
        let freezeStart = periodNanos - freezeNanos
        return phase >= freezeStart ? periodNanos - phase : 0
    }
}

/// Answers each complete request head (requests have no body: GET only) in order.
final class StallHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let clock: StallClock
    private var matched = 0
    private var queuedUntil: Int64 = 0
    private static let response = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
    private static let terminator: [UInt8] = Array("\r\n\r\n".utf8)

    init(clock: StallClock) { self.clock = clock }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var requests = 0
        for byte in buffer.readableBytesView {
            if byte == Self.terminator[matched] {
                matched += 1
                if matched == Self.terminator.count {
                    requests += 1
                    matched = 0
                }
            } else {
                matched = byte == Self.terminator[0] ? 1 : 0
            }
        }
        guard requests > 0 else { return }
        let count = requests
        let now = MonotonicClock.nowNanos()
        let due = max(now + clock.delayNanos(at: now), queuedUntil)
        queuedUntil = due
        if due <= now {
            for _ in 0..<requests { context.write(wrapOutboundOut(Self.response), promise: nil) }
            context.flush()
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(due))) {
                let context = bound.value
                for _ in 0..<count { context.write(NIOAny(Self.response), promise: nil) }
                context.flush()
            }
        }
    }
}
