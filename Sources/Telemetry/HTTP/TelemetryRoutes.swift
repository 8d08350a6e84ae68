import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

extension Telemetry {
    /// The telemetry endpoints, to mount on the store's router:
    /// - `GET /metrics`: Prometheus text; open, like any scrape target (it holds ids and counts, no SQL).
    /// - `GET /admin/queries`, `POST /admin/queries/reset`, `GET /admin/alerts`, `GET /admin/doctor`: bearer token.
    /// - `GET /dashboard`, `GET /dashboard/events` (SSE): bearer token, or `?token=` for browsers.
    public func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: self.registry.emitToBuffer())))
        }
        routes.add(middleware: AdminAuthMiddleware(token: configuration.adminToken))
        routes.get("/admin/queries") { _, _ in
            try Self.json(self.statistics.report())
        }
        routes.post("/admin/queries/reset") { _, _ in
            self.statistics.reset()
            return Response(status: .noContent)
        }
        routes.get("/admin/alerts") { _, _ in
            try Self.json(["alerts": self.alerts.active])
        }
        routes.get("/admin/doctor") { _, _ in
            guard let panel = self.doctor.latest else { throw Problem.doctorOff }
            return try Self.json(panel)
        }
        routes.get("/dashboard") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: DashboardPage.contentSecurityPolicy],
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        routes.get("/dashboard/events") { request, _ in
            self.events(request)
        }
        return routes
    }

    /// Server-Sent Events: one JSON snapshot per interval until the client goes, `?limit=` events
    /// are sent, or the stream limit passes (the browser then reconnects by itself).
    private func events(_ request: Request) -> Response {
        let limit = request.uri.queryParameters["limit"].flatMap { Int($0) }.map { max(1, $0) } ?? Int.max
        let interval = configuration.dashboardInterval
        let streamLimit = configuration.dashboardStreamLimit
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: .init { writer in
                self.openStreams.opened()
                defer { self.openStreams.closed() }
                let closed = ClosedFlag()
                try await request.body.consumeWithInboundCloseHandler { _ in
                    let end = ContinuousClock.now + streamLimit
                    var sent = 0
                    while sent < limit, !closed.isClosed, ContinuousClock.now < end {
                        let data = try Self.encoder.encode(self.dashboardSnapshot())
                        try await writer.write(ByteBuffer(string: "data: " + String(decoding: data, as: UTF8.self) + "\n\n"))
                        sent += 1
                        if sent < limit { try await Task.sleep(for: interval) }
                    }
                } onInboundClosed: {
                    closed.close()
                }
                try await writer.finish(nil)
            }
        )
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static func json(_ value: some Encodable) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The number of dashboard event streams open now.
final class StreamCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func opened() { count.add(1, ordering: .relaxed) }
    func closed() { count.subtract(1, ordering: .relaxed) }
}

/// Set once the client has gone.
private final class ClosedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isClosed: Bool { value.load(ordering: .acquiring) }
    func close() { value.store(true, ordering: .releasing) }
}
