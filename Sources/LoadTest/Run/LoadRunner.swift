import Foundation
import NIOCore
import NIOPosix

/// How this process takes part in a run.
public struct RunOptions: Sendable {
    /// This process runs segment `segmentIndex` (0-based) of `segmentCount`.
    public var segmentIndex = 0
    public var segmentCount = 1
    /// Event loops (threads) driving requests; one per core by default.
    public var eventLoops = System.coreCount
    /// Wall-clock time at which the run starts (for segments started together); nil: now.
    public var startAt: Date?
    /// Monotonic time (`MonotonicClock`) at which phase offsets start, when the caller fixes it; nil: now.
    public var startUptimeNanos: Int64?
    /// The target as the user wrote it, for the report.
    public var targetDescription = ""

    public init() {}

    public var segmentLabel: String { "\(segmentIndex + 1)/\(segmentCount)" }
}

/// Runs a plan: starts one worker per event loop, waits for them, and assembles the result.
public enum LoadRunner {
    /// Runs `plan` and returns the result with its verdict. `progress` is called about once a second.
    public static func run(plan: LoadPlan, options: RunOptions,
                           progress: (@Sendable (LiveSnapshot, Double) -> Void)? = nil) async throws -> RunResult {
        let loops = max(1, options.eventLoops)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
        do {
            let result = try await run(plan: plan, options: options, group: group, loops: loops, progress: progress)
            try? await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    static func run(plan: LoadPlan, options: RunOptions, group: MultiThreadedEventLoopGroup, loops: Int,
                    progress: (@Sendable (LiveSnapshot, Double) -> Void)?) async throws -> RunResult {

        if let startAt = options.startAt {
            let wait = startAt.timeIntervalSinceNow
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        }
        var addresses: [Endpoint: SocketAddress] = [:]
        for endpoint in plan.endpoints {
            do {
                addresses[endpoint] = try SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port)
            } catch {
                throw PlanError(description: "cannot resolve \(endpoint.host): \(error)")
            }
        }
        let resolved = addresses
        var tls: TLSClient?
        if plan.endpoints.contains(where: \.tls) {
            let client = try TLSClient(insecure: plan.insecureTLS)
            for endpoint in plan.endpoints where endpoint.tls {
                if let address = addresses[endpoint] {
                    try await client.checkHandshake(endpoint: endpoint, address: address, eventLoop: group.next())
                }
            }
            tls = client
        }
        let tlsClient = tls
        let startedAt = Date()
        let runStart = options.startUptimeNanos ?? MonotonicClock.nowNanos() + 20_000_000
        let boxes = (0..<loops).map { _ in LiveBox() }
        var futures: [EventLoopFuture<WorkerOutput>] = []
        for (index, loop) in group.makeIterator().enumerated() {
            let slice = ArrivalSlice(segmentIndex: options.segmentIndex, segmentCount: options.segmentCount, worker: index, workers: loops)
            let box = boxes[index]
            futures.append(loop.flatSubmit {
                Worker(eventLoop: loop, plan: plan, addresses: resolved, tls: tlsClient, slice: slice, runStartNanos: runStart, live: box).start()
            })
        }
        let progressTask = Task {
            guard let progress else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                var total = LiveSnapshot()
                for box in boxes { total.add(box.load()) }
                progress(total, Double(MonotonicClock.nowNanos() - runStart) / 1e9)
            }
        }
        // RSS once a second, on the cooperative pool (never on an event loop): the soak's memory evidence.
        let memoryTask = Task { () -> MemoryTrace in
            var trace = MemoryTrace()
            while true {
                if let bytes = ResidentMemory.currentBytes() {
                    trace.record(bytes: bytes, atSeconds: Double(MonotonicClock.nowNanos() - runStart) / 1e9)
                }
                if Task.isCancelled { return trace }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        var phases = plan.phases.map(Worker.emptyResult)
        var generatorCPU = 0.0
        for future in futures {
            let output = try await future.get()
            for index in phases.indices { phases[index].merge(output.phases[index]) }
            generatorCPU += output.cpuSeconds
        }
        progressTask.cancel()
        memoryTask.cancel()
        let memory = await memoryTask.value
        let wall = Double(MonotonicClock.nowNanos() - runStart) / 1e9
        // The event loop threads' own CPU time: an in-process server (self-test) does not count.
        let generator = GeneratorStats(cpuSeconds: generatorCPU, wallSeconds: wall, eventLoops: loops,
                                       memory: memory.residentBytes.isEmpty ? nil : memory)
        var result = RunResult(
            target: options.targetDescription, startedAt: ISO8601DateFormatter().string(from: startedAt),
            segments: [options.segmentLabel], generator: generator, phases: phases,
            thresholds: plan.thresholds.map(\.description), maxScheduleLagMicroseconds: UInt64(plan.maxScheduleLagNanos / 1000))
        result.verdict = VerdictEvaluator.evaluate(result, thresholds: plan.thresholds)
        return result
    }
}
