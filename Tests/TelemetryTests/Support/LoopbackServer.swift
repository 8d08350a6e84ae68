import Foundation
import Hummingbird
import Logging
import NIOCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs a Hummingbird app on 127.0.0.1 (an ephemeral port) for the duration of `body`.
enum LoopbackServer {
    static func with<T: Sendable>(
        _ router: Router<BasicRequestContext>,
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "surge.tests.http")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw LoopbackError() }
            return try await body(port)
        }
    }

    struct LoopbackError: Error {}
}

/// A tiny HTTP client for tests (URLSession, loopback only).
struct TestClient: Sendable {
    let port: Int

    struct Reply: Sendable {
        var status: Int
        var contentType: String
        var body: String
    }

    func send(_ method: String, _ path: String, token: String? = nil) async throws -> Reply {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw LoopbackServer.LoopbackError() }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return Reply(
            status: http?.statusCode ?? 0,
            contentType: http?.value(forHTTPHeaderField: "Content-Type") ?? "",
            body: String(decoding: data, as: UTF8.self)
        )
    }
}
