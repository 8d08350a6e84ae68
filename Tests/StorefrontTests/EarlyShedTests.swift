import Foundation
import Guard
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Synchronization
import Testing
@testable import Storefront

/// The early shed handler on an `EmbeddedChannel`: HTTP parts in, HTTP parts out, no server.
@Suite struct EarlyShedTests {
    final class Routes: Sendable {
        private let list = Mutex<[String]>([])
        func append(_ route: String) { list.withLock { $0.append(route) } }
        var all: [String] { list.withLock { $0 } }
    }

    final class Shed: Sendable {
        let routes = Routes()
        let controller: AdmissionController
        let shed: EarlyShed

        /// A controller whose limit (4) is full of checkouts; browse has no share and never queues.
        init(full: Bool) async throws {
            var configuration = AdmissionLimiter.Configuration()
            configuration.limit.initialLimit = 4
            configuration.limit.minimumLimit = 4
            configuration.guaranteedShare = [.checkout: 1, .cart: 0, .browse: 0, .bot: 0]
            configuration.queueTimeout = [.checkout: .zero, .cart: .zero, .browse: .zero, .bot: .zero]
            let controller = AdmissionController(configuration)
            if full { for _ in 0..<4 { _ = try await controller.acquire(.checkout) } }
            self.controller = controller
            let routes = self.routes
            self.shed = EarlyShed(controller: controller, endpoints: [
                StoreEndpoint(method: .get, path: "/v1/products", routeClass: .browse),
                StoreEndpoint(method: .get, path: "/v1/products/{id}", routeClass: .browse),
                StoreEndpoint(method: .post, path: "/v1/carts", routeClass: .cart),
            ], onAnswer: { route, _, _ in routes.append(route) })
        }
    }

    func channel(_ shed: Shed) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(shed.shed.handler())
        return channel
    }

    func request(_ method: HTTPRequest.Method, _ path: String) -> HTTPRequestPart {
        .head(HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: path, headerFields: [.userAgent: "test-browser"]))
    }

    @Test func browsingTheLimiterWouldRejectIsAnsweredWith503OverloadedOnTheSpot() async throws {
        let shed = try await Shed(full: true)
        let channel = try channel(shed)
        try channel.writeInbound(request(.get, "/v1/products/42?fields=all"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == nil)   // the router never sees it
        guard case .head(let head) = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no head"); return }
        #expect(head.status.code == 503)
        #expect(head.headerFields[.retryAfter] == "1")
        #expect(head.headerFields[.contentType] == "application/problem+json")
        guard case .body(let body) = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no body"); return }
        let problem = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        #expect(problem?["code"] as? String == "overloaded")
        #expect(head.headerFields[.contentLength] == "\(body.readableBytes)")
        guard case .end = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no end"); return }
        #expect(shed.routes.all == ["/v1/products/{id}"])
        #expect(try channel.finish().isClean)
    }

    @Test func browsingPassesWhenTheLimiterWouldAdmitIt() async throws {
        let shed = try await Shed(full: false)
        let channel = try channel(shed)
        try channel.writeInbound(request(.get, "/v1/products?category=3"))
        guard case .head(let passed) = try channel.readInbound(as: HTTPRequestPart.self) else { Issue.record("not passed"); return }
        #expect(passed.path == "/v1/products?category=3")
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        #expect(shed.controller.inFlight == 0)   // only a peek: the middleware takes the permit
    }

    @Test func cartsAndUnknownRoutesAlwaysReachTheRouter() async throws {
        let shed = try await Shed(full: true)
        let channel = try channel(shed)
        for part in [request(.post, "/v1/carts"), request(.get, "/v1/nothing-here"), request(.get, "/health/ready")] {
            try channel.writeInbound(part)
            guard case .head = try channel.readInbound(as: HTTPRequestPart.self) else { Issue.record("dropped \(part)"); return }
            try channel.writeOutbound(HTTPResponsePart.end(nil))   // its answer ends before the next request
            _ = try channel.readOutbound(as: HTTPResponsePart.self)
        }
        #expect(shed.routes.all.isEmpty)
    }

    @Test func aPipelinedRequestIsNotAnsweredBeforeTheOneAheadOfIt() async throws {
        let shed = try await Shed(full: false)
        let channel = try channel(shed)
        try channel.writeInbound(request(.get, "/v1/products/1"))      // admitted, still running
        _ = try channel.readInbound(as: HTTPRequestPart.self)
        _ = try await shed.controller.acquire(.checkout)                // now the limit fills up
        for _ in 0..<3 { _ = try await shed.controller.acquire(.checkout) }
        try channel.writeInbound(request(.get, "/v1/products/2"))
        guard case .head = try channel.readInbound(as: HTTPRequestPart.self) else { Issue.record("answered out of order"); return }
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        // Once both answers have ended, the next browse request is shed again.
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
        try channel.writeInbound(request(.get, "/v1/products/3"))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == nil)
        #expect(shed.routes.all == ["/v1/products/{id}"])
    }
}
