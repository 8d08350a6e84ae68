import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for tests, with a few fixed routes:
/// `/ok`, `/json`, `/carts` (POST, 201 with id and token), `/carts/ID/items` (checks X-Cart-Token),
/// `/status/NNN`, `/shed` (503 + Retry-After), `/chunked`, `/close`.
final class TestHTTPServer: Sendable {
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    let requests: Counter
    /// Server names the TLS clients asked for (SNI), in order; empty for plain HTTP.
    let serverNames: NameLog
    let tls: Bool

    final class Counter: Sendable {
        private let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    final class NameLog: Sendable {
        private let names = Mutex<[String?]>([])
        func add(_ name: String?) { names.withLock { $0.append(name) } }
        var all: [String?] { names.withLock { $0 } }
    }

    /// - Parameters:
    ///   - tls: serve HTTPS with the test-only self-signed certificate (`TestCertificate`).
    ///   - host: the address to listen on.
    static func start(tls: Bool = false, host: String = "127.0.0.1") async throws -> TestHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counter = Counter()
        let names = NameLog()
        var sslContext: NIOSSLContext?
        if tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKeyPEM.utf8), format: .pem)))
            configuration.sslContextCallback = { values, promise in
                names.add(values.serverHostname)
                promise.succeed(NIOSSLContextConfigurationOverride())
            }
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let serverContext = sslContext
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let serverContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(TestHandler(counter: counter))
                }
            }
            .bind(host: host, port: 0).get()
        return TestHTTPServer(group: group, channel: channel, port: channel.localAddress?.port ?? 0, requests: counter,
                              serverNames: names, tls: tls)
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, port: Int, requests: Counter, serverNames: NameLog, tls: Bool) {
        self.group = group
        self.channel = channel
        self.port = port
        self.requests = requests
        self.serverNames = serverNames
        self.tls = tls
    }

    var base: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

final class TestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var pending: [UInt8] = []
    private var carts = 0
    private let counter: TestHTTPServer.Counter

    init(counter: TestHTTPServer.Counter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += unwrapInboundIn(data).readableBytesView
        while let request = nextRequest() {
            counter.add()
            let (response, close) = respond(request)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
            if close {
                context.close(promise: nil)
                return
            }
        }
    }

    struct Request {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    private func nextRequest() -> Request? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard pending.count >= 4, let end = (0...(pending.count - 4)).first(where: { Array(pending[$0..<($0 + 4)]) == terminator }) else { return nil }
        let head = String(decoding: pending[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard pending.count >= end + 4 + length else { return nil }
        let body = String(decoding: pending[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        pending.removeFirst(end + 4 + length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func respond(_ request: Request) -> (String, Bool) {
        func reply(_ status: Int, _ body: String, extra: String = "") -> String {
            "HTTP/1.1 \(status) X\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: application/json\r\n\(extra)\r\n\(body)"
        }
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        let parts = path.split(separator: "/").map(String.init)
        switch parts.first {
        case "ok": return (reply(200, "ok"), false)
        case "json": return (reply(200, #"{"id": 42, "token": "tok-42", "items": [{"sku": "A-1"}], "open": true}"#), false)
        case "echo": return (reply(200, request.body), false)
        case "carts" where parts.count == 1 && request.method == "POST":
            carts += 1
            return (reply(201, #"{"id": \#(carts), "token": "t-\#(carts)"}"#), false)
        case "carts" where parts.count == 3 && parts[2] == "items":
            let ok = request.headers["x-cart-token"] == "t-\(parts[1])" && request.body.contains(#""quantity":1"#)
            return (reply(ok ? 201 : 403, ok ? #"{"ok": true}"# : #"{"error": "bad token"}"#), false)
        case "status" where parts.count == 2: return (reply(Int(parts[1]) ?? 500, "{}"), false)
        case "shed": return (reply(503, "{}", extra: "Retry-After: 1\r\n"), false)
        case "chunked":
            return ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n", false)
        case "close": return (reply(200, "bye", extra: "Connection: close\r\n"), true)
        default: return (reply(404, "{}"), false)
        }
    }
}
