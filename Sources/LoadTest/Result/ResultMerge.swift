/// Results that cannot be merged, with the reason.
public struct MergeError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension RunResult {
    /// Joins the results of several segments (or machines) exactly: counts add, histograms merge
    /// without loss, timelines align by offset from each phase's start. The verdict is evaluated again.
    public static func merge(_ results: [RunResult]) throws(MergeError) -> RunResult {
        guard var merged = results.first else { throw MergeError(description: "no results to merge") }
        for result in results where result.version != RunResult.currentVersion {
            throw MergeError(description: "result version \(result.version) is not \(RunResult.currentVersion)")
        }
        for other in results.dropFirst() {
            guard other.phases.map(\.name) == merged.phases.map(\.name) else {
                throw MergeError(description: "the results ran different scenarios (\(merged.phases.map(\.name)) vs \(other.phases.map(\.name)))")
            }
            guard other.thresholds == merged.thresholds else {
                throw MergeError(description: "the results have different thresholds")
            }
            for index in merged.phases.indices { merged.phases[index].merge(other.phases[index]) }
            merged.generator.merge(other.generator)
            merged.segments += other.segments
            merged.startedAt = min(merged.startedAt, other.startedAt)
        }
        let overlap = Set(merged.segments).count != merged.segments.count
        if overlap { throw MergeError(description: "a segment appears twice: \(merged.segments.joined(separator: ", "))") }
        var thresholds: [Threshold] = []
        for text in merged.thresholds {
            do {
                thresholds.append(try Threshold(parsing: text))
            } catch {
                throw MergeError(description: error.message)
            }
        }
        merged.verdict = VerdictEvaluator.evaluate(merged, thresholds: thresholds)
        return merged
    }
}
