import NIOCore
import NIOPosix
import Synchronization

/// Fetches a Prometheus /metrics page over plain HTTP/1.0 (no chunking, the server closes when done).
public enum MetricsScrape {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func fetch(url: String, group: any EventLoopGroup) async throws -> String {
        guard let parsed = SimpleURL(url) else { throw Failure(description: "\(url) is not an http://host:port/path URL") }
        let collector = ResponseCollector()
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector.handler()) }
            }
            .connect(host: parsed.host, port: parsed.port).get()
        // HTTP/1.0 keeps the server from chunking; Hummingbird still keeps the connection open, so the
        // handler closes it once Content-Length bytes arrived, and a deadline bounds a stuck server.
        let request = "GET \(parsed.path) HTTP/1.0\r\nHost: \(parsed.host):\(parsed.port)\r\nUser-Agent: surge-capacity\r\nConnection: close\r\n\r\n"
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(3)) { channel.close(promise: nil) }
        try await channel.writeAndFlush(ByteBuffer(string: request))
        try await channel.closeFuture.get()
        deadline.cancel()
        let response = collector.text
        guard let split = response.range(of: "\r\n\r\n") else { throw Failure(description: "\(url): no HTTP response") }
        let statusLine = response[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        guard statusLine.split(separator: " ").dropFirst().first == "200" else {
            throw Failure(description: "\(url): \(statusLine)")
        }
        return String(response[split.upperBound...])
    }
}

/// http://host:port/path, parsed without Foundation's URL.
struct SimpleURL {
    var host: String
    var port: Int
    var path: String

    init?(_ text: String) {
        guard text.hasPrefix("http://") else { return nil }
        let rest = text.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : "/"
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let port = Int(authority[authority.index(after: colon)...]) else { return nil }
            self.port = port
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty else { return nil }
    }
}

/// Bytes received on one connection, readable once it closes.
final class ResponseCollector: Sendable {
    private let buffer = Mutex("")

    var text: String { buffer.withLock { $0 } }

    func handler() -> Handler { Handler(collector: self) }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let collector: ResponseCollector
        init(collector: ResponseCollector) { self.collector = collector }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            let complete = collector.buffer.withLock { text -> Bool in
                text += String(buffer: bytes)
                return Self.isComplete(text)
            }
            if complete { context.close(promise: nil) }
        }

        /// Headers received and, when they give a Content-Length, that many body bytes too.
        static func isComplete(_ text: String) -> Bool {
            guard let split = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<split.lowerBound].lowercased()
            guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                  let length = Int(line.dropFirst("content-length:".count).filter { $0 != " " }) else { return false }
            return text[split.upperBound...].utf8.count >= length
        }
    }
}
