import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// An HTTP/1.1 test server on 127.0.0.1 whose service time follows the USL exactly: a request that
/// finds n requests in service (itself included) is answered after s₀ × (1 + σ(n−1) + κn(n−1)).
/// A closed loop of N users then measures X(N) = N / (s₀ × slowdown(N)), the USL with λ = 1/s₀.
/// Any other path answers 500 at once (a target failing from the first step).
final class ContentionServer: Sendable {
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    static func start(baseServiceSeconds: Double, sigma: Double, kappa: Double) async throws -> ContentionServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let inService = InService()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ContentionHandler(inService: inService, base: baseServiceSeconds, sigma: sigma, kappa: kappa))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ContentionServer(group: group, channel: channel)
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

final class ContentionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let inService: InService
    private let base: Double, sigma: Double, kappa: Double
    private var pending = ""

    init(inService: InService, base: Double, sigma: Double, kappa: Double) {
        self.inService = inService
        self.base = base
        self.sigma = sigma
        self.kappa = kappa
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += String(buffer: unwrapInboundIn(data))
        // GET requests without bodies: every blank line ends one.
        while let end = pending.range(of: "\r\n\r\n") {
            let head = pending[..<end.lowerBound]
            pending.removeSubrange(..<end.upperBound)
            let path = head.split(separator: " ").dropFirst().first ?? ""
            guard path.hasPrefix("/work") else {
                let body = "broken"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 500 X\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")), promise: nil)
                continue
            }
            let n = Double(inService.count.withLock { value -> Int in
                value += 1
                return value
            })
            let seconds = base * (1 + sigma * (n - 1) + kappa * n * (n - 1))
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
                handler.value.inService.count.withLock { $0 -= 1 }
                loopBound.value.writeAndFlush(handler.value.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")), promise: nil)
            }
        }
    }
}

/// Requests in service right now, shared by every connection's handler.
final class InService: Sendable {
    let count = Mutex(0)
}
