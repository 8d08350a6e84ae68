import Database
import Foundation
import Logging
import ServiceLifecycle
import Storefront

/// One run of the store (`StoreServer`, as `surge serve` assembles it) on a free loopback port,
/// stopped by cancelling its task.
struct StoreInstance: Sendable {
    let baseURL: URL
    let profile: StoreProfile
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(url: DatabaseURL, profile: StoreProfile, payment: PaymentDial, logger: Logger) async throws -> StoreInstance {
        var options = StoreServer.Options(profile: profile, adminToken: AdminTokenText.random())
        options.port = 0
        // The drill's report says what was slow; a JSON line per slow statement would bury its progress.
        options.slowQueryThreshold = .seconds(3600)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try await StoreServer.make(url: url, options: options, gateway: payment, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [server.application], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var running: Int?
        for await port in ports { running = port }
        guard let running, let baseURL = URL(string: "http://127.0.0.1:\(running)") else {
            if case .failure(let error) = await task.result { throw error }
            throw DrillError.storeDidNotStart
        }
        return StoreInstance(baseURL: baseURL, profile: profile, group: group, task: task)
    }

    /// Graceful shutdown (open connections finish their requests); cancelled if that takes over 5 s.
    func stop() async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: .seconds(5))
            task.cancel()
        }
        _ = try? await task.value
        deadline.cancel()
    }
}

enum AdminTokenText {
    static func random() -> String {
        (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
    }
}
