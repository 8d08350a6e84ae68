import Foundation
@testable import LoadTest
import Testing

/// `https://` targets against a real TLS server on loopback (NIOSSLServerHandler with `TestCertificate`).
@Suite struct HTTPSTests {
    static func options() -> RunOptions {
        var options = RunOptions()
        options.eventLoops = 2
        return options
    }

    @Test func httpsURLsParseWithTheirDefaultPort() throws {
        let (endpoint, path) = try #require(Endpoint.parse(url: "https://shop.example/v1?x=1"))
        #expect(endpoint == Endpoint(host: "shop.example", port: 443, tls: true))
        #expect(path == "/v1?x=1")
        #expect(endpoint.hostHeader == "shop.example")
        #expect(endpoint.serverName == "shop.example")
        let (local, _) = try #require(Endpoint.parse(url: "https://127.0.0.1:8443/"))
        #expect(local.hostHeader == "127.0.0.1:8443")
        #expect(local.serverName == nil)
        #expect(Endpoint.parse(url: "http://127.0.0.1:443/")?.0.hostHeader == "127.0.0.1:443")
        #expect(Endpoint.parse(url: "ftp://127.0.0.1/") == nil)
    }

    @Test func singleURLRunsOverTLSWithInsecure() async throws {
        let server = try await TestHTTPServer.start(tls: true)
        defer { Task { await server.stop() } }
        var plan = try singleURLPlan(url: server.base + "/json", ratePerSecond: 100, durationNanos: 1_000_000_000, connections: 4)
        plan.insecureTLS = true
        plan.maxScheduleLagNanos = 2_000_000_000
        let result = try await LoadRunner.run(plan: plan, options: Self.options())
        let phase = try #require(result.phases.first)
        #expect(phase.counts.requests == 100)
        #expect(phase.counts.successes == 100)
        // The server speaks only TLS: every request it answered came through a handshake.
        #expect(server.requests.count == 100)
        #expect(result.verdict?.exitCode == Verdict.passExitCode)
    }

    @Test func scenarioJourneyRunsOverTLSAndSendsTheHostAsServerName() async throws {
        let server = try await TestHTTPServer.start(tls: true)
        defer { Task { await server.stop() } }
        let yaml = """
            target: https://localhost:\(server.port)
            journeys:
              - name: buy
                steps:
                  - name: cart
                    method: POST
                    url: /carts
                    check: {status: 201}
                    extract: {cart_id: $.id, token: $.token}
                  - name: add
                    method: POST
                    url: /carts/${cart_id}/items
                    headers: {X-Cart-Token: "${token}"}
                    body: {quantity: 1}
                    check: {status: 201, json: {"$.ok": "true"}}
            scenarios:
              - name: users
                executor: constant-concurrency
                users: 2
                duration: 1s
            """
        var plan = try ScenarioParser(file: "tls.yaml").parse(yaml)
        plan.insecureTLS = true
        plan.maxRequests = 50
        plan.maxScheduleLagNanos = 2_000_000_000
        let result = try await LoadRunner.run(plan: plan, options: Self.options())
        let journey = try #require(result.phases.first?.journeys.first)
        #expect(journey.succeeded > 0)
        #expect(journey.failed == 0)
        let names = server.serverNames.all
        #expect(!names.isEmpty)
        #expect(names.allSatisfy { $0 == "localhost" })
    }

    @Test func untrustedCertificateStopsTheRunWithOneLineNamingInsecure() async throws {
        let server = try await TestHTTPServer.start(tls: true)
        defer { Task { await server.stop() } }
        let plan = try singleURLPlan(url: server.base + "/ok", ratePerSecond: 10, durationNanos: 1_000_000_000, connections: 1)
        let error = await #expect(throws: PlanError.self) {
            _ = try await LoadRunner.run(plan: plan, options: Self.options())
        }
        let message = try #require(error?.description)
        #expect(message.contains("https://127.0.0.1:\(server.port)"))
        #expect(message.contains("not trusted"))
        #expect(message.contains("--insecure"))
        #expect(!message.contains("\n"))
        #expect(server.requests.count == 0)
    }

    @Test func plainHTTPServerBehindAnHTTPSURLIsAClearError() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        var plan = try singleURLPlan(url: "https://127.0.0.1:\(server.port)/ok", ratePerSecond: 10, durationNanos: 1_000_000_000, connections: 1)
        plan.insecureTLS = true
        let error = await #expect(throws: PlanError.self) {
            _ = try await LoadRunner.run(plan: plan, options: Self.options())
        }
        #expect(error?.description.contains("is it an https server?") == true)
    }
}
