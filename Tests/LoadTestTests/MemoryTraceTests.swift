import Foundation
@testable import LoadTest
import Testing

/// The generator samples its own RSS: bounded, in the JSON summary and in the HTML report.
@Suite struct MemoryTraceTests {
    @Test func traceStaysBoundedAndMeasuresGrowthAfterTheFirstMinute() throws {
        var trace = MemoryTrace()
        // Two hours at one sample a second: 100 MiB for the first minute, then +1 KiB a second.
        for second in 0...7200 {
            let bytes: UInt64 = 100 << 20 + UInt64(max(0, second - 60)) * 1024
            trace.record(bytes: bytes, atSeconds: Double(second))
        }
        #expect(trace.residentBytes.count <= MemoryTrace.maxSamples)
        #expect(trace.intervalSeconds == 16)
        #expect(trace.endBytes == 100 << 20 + 7140 * 1024)
        #expect(trace.peakBytes == trace.endBytes)
        let baseline = try #require(trace.bytes(atSeconds: 60))
        #expect(baseline >= 100 << 20 && baseline <= 100 << 20 + 16 * 1024)
        let growth = try #require(trace.growthPercent(afterSeconds: 60))
        let expected = Double(trace.endBytes - baseline) / Double(baseline) * 100
        #expect(abs(growth - expected) < 1e-9)
        #expect(growth > 6.5 && growth < 7.0)
    }

    @Test func shortRunHasNoGrowthFigure() {
        var trace = MemoryTrace()
        for second in 0...30 { trace.record(bytes: 1 << 20, atSeconds: Double(second)) }
        #expect(trace.growthPercent(afterSeconds: 60) == nil)
        #expect(trace.residentBytes.count == 31)
    }

    @Test func runReportsItsResidentMemoryInJSONAndHTML() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { await server.stop() } }
        var plan = try singleURLPlan(url: server.base + "/ok", ratePerSecond: 50, durationNanos: 1_500_000_000, connections: 2)
        plan.maxScheduleLagNanos = 2_000_000_000
        var options = RunOptions()
        options.eventLoops = 1
        let result = try await LoadRunner.run(plan: plan, options: options)
        let memory = try #require(result.generator.memory)
        #expect(memory.residentBytes.count >= 1)
        // A Swift process with NIO threads has megabytes resident, not bytes.
        #expect(memory.endBytes > 1 << 20)
        #expect(memory.peakBytes >= memory.endBytes)
        let decoded = try JSONDecoder().decode(RunResult.self, from: JSONEncoder().encode(result))
        #expect(decoded.generator.memory == memory)
        let html = HTMLReport.render(result)
        #expect(html.contains("Resident memory (RSS) of the generator"))
        #expect(TextSummary.render(result).contains("generator memory: RSS"))
    }

    @Test func resultsWrittenBeforeTheTraceExistedStillDecode() throws {
        let json = #"{"cpuSeconds": 1.5, "wallSeconds": 10, "eventLoops": 2}"#
        let stats = try JSONDecoder().decode(GeneratorStats.self, from: Data(json.utf8))
        #expect(stats.memory == nil)
        #expect(stats.eventLoops == 2)
    }
}
