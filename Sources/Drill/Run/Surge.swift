import Foundation
import LoadTest

/// The drill's traffic: the built-in flash sale (`surge load --scenario flash-sale`) at the drill's rate and shape.
enum Surge {
    static func plan(target: URL, options: DrillOptions, products: Int) throws -> LoadPlan {
        let base = target.absoluteString.hasSuffix("/") ? String(target.absoluteString.dropLast()) : target.absoluteString
        guard let yaml = BuiltinScenarios.yaml(named: "flash-sale", target: base, ratePerSecond: options.ratePerSecond,
                                               products: products, flashSale: options.surge) else {
            throw DrillError.storeDidNotStart
        }
        var plan = try ScenarioParser(file: "builtin:flash-sale").parse(yaml)
        // The drill's objectives decide; the scenario's own thresholds would only print a second verdict.
        plan.thresholds = []
        plan.maxScheduleLagNanos = 200_000_000
        plan.connections = options.connections
        return plan
    }

    static func run(_ plan: LoadPlan, options: DrillOptions,
                    progress: (@Sendable (LiveSnapshot, Double) -> Void)?) async throws -> RunResult {
        var run = RunOptions()
        run.targetDescription = "surge drill \(options.drill.rawValue)"
        // The load runs its schedule to the end whatever happens to its caller; a cancelled drill (Ctrl-C)
        // stops waiting for it at once, and its requests fail fast against the store the cleanup stops.
        let (results, continuation) = AsyncThrowingStream.makeStream(of: RunResult.self)
        let load = Task {
            do {
                continuation.yield(try await LoadRunner.run(plan: plan, options: run, progress: progress))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        _ = load
        for try await result in results { return result }
        throw CancellationError()
    }
}
