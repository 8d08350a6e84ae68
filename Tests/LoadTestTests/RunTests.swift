import Foundation
import NIOCore
@testable import LoadTest
import Testing

/// End-to-end runs against a real HTTP server on 127.0.0.1 started by the test.
@Suite struct RunTests {
    /// Tests share two cores with each other: allow a schedule lag that a dedicated generator would not.
    static func tolerant(_ plan: LoadPlan) -> LoadPlan {
        var plan = plan
        plan.maxScheduleLagNanos = 2_000_000_000
        return plan
    }

    static func options(loops: Int = 2) -> RunOptions {
        var options = RunOptions()
        options.eventLoops = loops
        return options
    }

    @Test func openModelRunsEveryIntendedArrival() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        let plan = try singleURLPlan(url: server.base + "/ok", ratePerSecond: 200, durationNanos: 2_000_000_000, connections: 8)
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options())
        let phase = try #require(result.phases.first)
        #expect(phase.arrivals == 400)
        #expect(phase.counts.requests == 400)
        #expect(phase.counts.successes == 400)
        #expect(server.requests.count == 400)
        #expect(phase.latency.count == 400)
        #expect(phase.scheduleLag.count == 400)
        #expect(phase.timeline.buckets.reduce(0) { $0 + $1.arrivals } == 400)
        #expect(result.verdict?.exitCode == Verdict.passExitCode)
    }

    @Test func journeyExtractsValuesIntoLaterSteps() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        let yaml = """
            target: \(server.base)
            feeders:
              qty: {range: [1, 1]}
            journeys:
              - name: buy
                feed: [qty]
                steps:
                  - name: cart
                    method: POST
                    url: /carts
                    check: {status: 201, json: {"$.token": exists}}
                    extract: {cart_id: $.id, token: $.token}
                  - name: add
                    method: POST
                    url: /carts/${cart_id}/items
                    headers: {X-Cart-Token: "${token}"}
                    body: {variant_id: 7, quantity: "${qty}"}
                    check: {status: 201, json: {"$.ok": "true"}}
                  - name: chunked
                    url: /chunked
                    check: {json: {"$.a": "1"}}
                  - name: closing
                    url: /close
            scenarios:
              - name: main
                executor: constant-arrival-rate
                rate: 50
                duration: 2s
            thresholds:
              - errors < 1%
              - step:buy/add goodput >= 40/s
            """
        let plan = try ScenarioParser(file: "buy.yaml").parse(yaml)
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options())
        let journey = try #require(result.phases.first?.journeys.first)
        #expect(journey.started == 100)
        #expect(journey.succeeded == 100)
        #expect(journey.steps.map(\.counts.successes) == [100, 100, 100, 100])
        #expect(result.verdict?.exitCode == Verdict.passExitCode, "\(result.verdict?.summary ?? "")")
        #expect(journey.completionPercent == 100)
        #expect(TextSummary.render(result).contains("journey completion"))
        #expect(HTMLReport.render(result).contains("Journey completion"))
    }

    @Test func failedChecksAndStatusesAreClassifiedWithExamples() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        let yaml = """
            target: \(server.base)
            journeys:
              - name: missing
                steps:
                  - url: /json
                    check: {json: {"$.items[0].price": exists}}
              - name: broken
                steps:
                  - url: /status/500
            scenarios:
              - name: main
                executor: constant-arrival-rate
                rate: 40
                duration: 1s
            thresholds:
              - errors < 1%
            """
        let plan = try ScenarioParser(file: "bad.yaml").parse(yaml)
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options(loops: 1))
        let phase = try #require(result.phases.first)
        #expect(phase.counts.requests == 40)
        #expect((phase.counts.errors[.checkFailed] ?? 0) + (phase.counts.errors[.status] ?? 0) == 40)
        #expect(phase.counts.errors[.checkFailed] ?? 0 > 0)
        #expect(phase.examples.byClass["check_failed"]?.contains("$.items[0].price is missing") == true)
        #expect(phase.examples.byClass["status"]?.contains("status 500") == true)
        // What users got: no journey of either kind finished.
        #expect(phase.journeys.allSatisfy { $0.started > 0 && $0.completionPercent == 0 })
        let summary = TextSummary.render(result)
        let completionLines = summary.split(separator: "\n").filter { $0.contains("0.0%") && ($0.contains("missing") || $0.contains("broken")) }
        #expect(completionLines.count == 2, "\(summary)")
        #expect(result.verdict?.exitCode == Verdict.sloFailedExitCode)
    }

    @Test func retryAfterResponsesCountAsShedNotErrors() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        let plan = try singleURLPlan(url: server.base + "/shed", ratePerSecond: 50, durationNanos: 1_000_000_000, connections: 4)
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options())
        let phase = try #require(result.phases.first)
        #expect(phase.counts.shed == 50)
        #expect(phase.counts.errorCount == 0)
        #expect(phase.errorRate == 1)
    }

    @Test func refusedConnectionsAreCountedNotFatal() async throws {
        let server = try await TestHTTPServer.start()
        let port = server.port
        await server.stop()
        let plan = try singleURLPlan(url: "http://127.0.0.1:\(port)/ok", ratePerSecond: 20, durationNanos: 1_000_000_000, connections: 2)
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options(loops: 1))
        let phase = try #require(result.phases.first)
        #expect(phase.counts.requests == 20)
        // Every request fails (mostly refused; a busy machine may time some out): never a success, never a crash.
        #expect(phase.counts.errorCount == 20)
        #expect(phase.counts.successes == 0)
        #expect(phase.counts.errors[.connectRefused] ?? 0 > 0)
        #expect(result.verdict?.exitCode == Verdict.passExitCode || result.verdict?.exitCode == Verdict.sloFailedExitCode)
    }

    @Test func arrivalsBeyondTheInFlightCapAreDroppedAndBlameTheGenerator() async throws {
        let stall = try await StallServer.start(period: .seconds(1), freeze: .milliseconds(900))
        defer { Task { await stall.stop() } }
        var plan = try singleURLPlan(url: stall.url, ratePerSecond: 100, durationNanos: 1_000_000_000, connections: 4, maxInFlight: 2)
        plan.thresholds = [try Threshold(parsing: "errors < 50%")]
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options(loops: 1))
        let phase = try #require(result.phases.first)
        #expect(phase.arrivals == 100)
        #expect(phase.dropped > 0)
        #expect(phase.dropped + phase.counts.requests == 100)
        #expect(phase.counts.errors[.dropped] == nil)
        #expect(result.verdict?.exitCode == Verdict.generatorLimitedExitCode)
        // Drops have their own column: the errors column never goes negative by subtracting them.
        #expect(!TextSummary.render(result).contains("-\(phase.dropped)"))
        #expect(HTMLReport.render(result).contains("<title>dropped: "))
    }

    @Test func closedModelKeepsUsersBusy() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        let plan = try singleURLPlan(url: server.base + "/ok", ratePerSecond: nil, durationNanos: 1_000_000_000, connections: 4)
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options())
        let phase = try #require(result.phases.first)
        #expect(phase.counts.requests > 4)
        #expect(phase.counts.successes == phase.counts.requests)
        #expect(phase.arrivals == phase.counts.requests)
    }

    @Test func segmentsMergedEqualOneWholeRun() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        let plan = try singleURLPlan(url: server.base + "/ok", ratePerSecond: 300, durationNanos: 2_000_000_000, connections: 8,
                                     poissonSeed: 5, thresholds: [try Threshold(parsing: "errors < 1%")])
        var first = Self.options(loops: 1)
        first.segmentCount = 2
        var second = first
        second.segmentIndex = 1
        let start = Date().addingTimeInterval(0.3)
        first.startAt = start
        second.startAt = start
        async let a = LoadRunner.run(plan: Self.tolerant(plan), options: first)
        async let b = LoadRunner.run(plan: Self.tolerant(plan), options: second)
        let (segmentA, segmentB) = try await (a, b)
        let whole = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options(loops: 2))

        // Through JSON, as `surge load merge` reads them.
        let decoded = try [segmentA, segmentB].map { try JSONDecoder().decode(RunResult.self, from: JSONEncoder().encode($0)) }
        let merged = try RunResult.merge(decoded)
        let mergedPhase = try #require(merged.phases.first)
        let wholePhase = try #require(whole.phases.first)
        #expect(segmentA.phases[0].arrivals > 0 && segmentB.phases[0].arrivals > 0)
        #expect(mergedPhase.arrivals == wholePhase.arrivals)
        #expect(mergedPhase.counts.requests == wholePhase.counts.requests)
        #expect(mergedPhase.achievedRatePerSecond == wholePhase.achievedRatePerSecond)
        #expect(merged.segments == ["1/2", "2/2"])
        var combined = LatencyHistogram()
        combined.merge(segmentA.phases[0].latency)
        combined.merge(segmentB.phases[0].latency)
        #expect(mergedPhase.latency == combined)
        for percentile in [50.0, 99.0, 99.9] {
            #expect(mergedPhase.latency.percentile(percentile) == combined.percentile(percentile))
        }
        #expect(merged.verdict?.exitCode == Verdict.passExitCode)
        #expect(throws: MergeError.self) { try RunResult.merge([segmentA, segmentA]) }
    }

    @Test func reportsRenderEveryPhase() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        let plan = try singleURLPlan(url: server.base + "/status/503", ratePerSecond: 20, durationNanos: 1_000_000_000, connections: 2)
        let result = try await LoadRunner.run(plan: Self.tolerant(plan), options: Self.options(loops: 1))
        let html = HTMLReport.render(result)
        #expect(html.contains("<svg"))
        #expect(!html.contains("http://www") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(!html.contains("<script"))
        #expect(TextSummary.render(result).contains("status 503"))
        let report = Comparison.compare(result, result)
        #expect(report.regressions == 0)
    }
}
