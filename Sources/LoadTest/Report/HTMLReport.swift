import Reports

/// The self-contained HTML report: summary tables and inline SVG charts.
public enum HTMLReport {
    public static func render(_ result: RunResult) -> String {
        var page = HTMLPage(title: "surge load — \(result.target)")
        page.paragraph("Started \(result.startedAt), segments \(result.segments.joined(separator: ", ")). \(result.verdict?.summary ?? "")")
        page.table(headers: ["phase", "executor", "arrivals", "rate/s", "ok", "errors", "shed", "dropped", "p50", "p99", "p99.9", "max", "lag p99"],
                   rows: result.phases.map { phase in
                       [phase.name, phase.executor, String(phase.arrivals), String(Int(phase.achievedRatePerSecond)),
                        String(phase.counts.successes), String(phase.counts.errorCount), String(phase.counts.shed),
                        String(phase.dropped), Format.micros(phase.latency.percentile(50)), Format.micros(phase.latency.percentile(99)),
                        Format.micros(phase.latency.percentile(99.9)), Format.micros(phase.latency.maxMicroseconds),
                        Format.micros(phase.scheduleLag.percentile(99))]
                   })
        let completion = TextSummary.journeyCompletionRows(result)
        if !completion.isEmpty {
            page.heading("Journey completion")
            page.paragraph("Of the journeys started, how many finished every step: what users got.")
            page.table(headers: TextSummary.journeyCompletionHeaders, rows: completion)
        }
        if let verdict = result.verdict, !verdict.outcomes.isEmpty {
            page.heading("Thresholds")
            page.table(headers: ["threshold", "result", "observed", "detail"],
                       rows: verdict.outcomes.map { [$0.threshold, $0.passed ? "pass" : "FAIL", $0.observed, $0.detail] })
        }
        page.heading("Latency over time (from intended start)")
        var latencySeries: [SVGChart.Series] = []
        var throughput: [SVGChart.Series] = []
        for percentile in [50.0, 90.0, 99.0] {
            latencySeries.append(SVGChart.Series(name: "p\(Int(percentile)) ms", points: timelinePoints(result) { bucket, _ in
                bucket.latency.isEmpty ? nil : Double(bucket.latency.percentile(percentile)) / 1000
            }))
        }
        throughput.append(SVGChart.Series(name: "arrivals/s", points: timelinePoints(result) { Double($0.arrivals) / Double($1) }))
        throughput.append(SVGChart.Series(name: "ok/s", points: timelinePoints(result) { Double($0.counts.successes) / Double($1) }))
        throughput.append(SVGChart.Series(name: "errors+shed+dropped/s", points: timelinePoints(result) {
            Double($0.counts.errorCount + $0.counts.shed + $0.dropped) / Double($1)
        }))
        page.raw(SVGChart(title: "Latency percentiles", xLabel: "seconds", yLabel: "ms", series: latencySeries).render())
        page.heading("Throughput over time")
        page.raw(SVGChart(title: "Requests per second", xLabel: "seconds", yLabel: "per second", series: throughput).render())
        if let memory = result.generator.memory {
            page.heading("Generator memory")
            page.paragraph(TextSummary.memoryLine(memory))
            let points = memory.residentBytes.enumerated().map { (x: Double($0.offset * memory.intervalSeconds), y: Double($0.element) / 1_048_576) }
                + [(x: memory.endSeconds, y: Double(memory.endBytes) / 1_048_576)]
            page.raw(SVGChart(title: "Resident memory (RSS) of the generator", xLabel: "seconds", yLabel: "MiB",
                              series: [SVGChart.Series(name: "RSS MiB", points: points)]).render())
        }
        page.heading("Errors and shed by phase")
        let labels = result.phases.map(\.name)
        let classes = ErrorClass.allCases
        var errorSeries = classes.map { errorClass in
            SVGChart.Series(name: errorClass.rawValue, points: result.phases.enumerated().map { (x: Double($0.offset), y: Double($0.element.counts.errors[errorClass] ?? 0)) })
        }.filter { $0.points.contains { $0.y > 0 } }
        errorSeries.append(SVGChart.Series(name: "shed", points: result.phases.enumerated().map { (x: Double($0.offset), y: Double($0.element.counts.shed)) }))
        if result.phases.contains(where: { $0.dropped > 0 }) {
            errorSeries.append(SVGChart.Series(name: "dropped", points: result.phases.enumerated().map { (x: Double($0.offset), y: Double($0.element.dropped)) }))
        }
        page.raw(SVGChart(title: "Failures by phase", xLabel: "phase", yLabel: "count", series: errorSeries, kind: .bars(labels: labels)).render())
        for phase in result.phases {
            for journey in phase.journeys where journey.started > 0 {
                page.heading("Funnel: \(phase.name) / \(journey.name)")
                let stepLabels = ["started"] + journey.steps.map(\.name)
                let reached = [Double(journey.started)] + journey.steps.map { Double($0.counts.successes) }
                page.raw(SVGChart(title: "Journeys reaching each step (successes)", xLabel: "step", yLabel: "journeys",
                                  series: [SVGChart.Series(name: "ok", points: reached.enumerated().map { (x: Double($0.offset), y: $0.element) })],
                                  kind: .bars(labels: stepLabels)).render())
                page.table(headers: ["step", "requests", "ok", "errors", "shed", "p50", "p99", "p99 send"],
                           rows: journey.steps.map { step in
                               [step.name, String(step.counts.requests), String(step.counts.successes), String(step.counts.errorCount),
                                String(step.counts.shed), Format.micros(step.latency.percentile(50)), Format.micros(step.latency.percentile(99)),
                                Format.micros(step.serviceTime.percentile(99))]
                           })
            }
        }
        let examples = result.phases.flatMap { phase in phase.examples.byClass.sorted { $0.key < $1.key }.map { [phase.name, $0.key, $0.value] } }
        if !examples.isEmpty {
            page.heading("First example of each error")
            page.table(headers: ["phase", "class", "example"], rows: examples)
        }
        return page.render()
    }

    /// One point per timeline bucket of every phase, at the bucket's start in run seconds.
    static func timelinePoints(_ result: RunResult, _ value: (Timeline.Bucket, Int) -> Double?) -> [(x: Double, y: Double)] {
        var points: [(x: Double, y: Double)] = []
        for phase in result.phases {
            let width = phase.timeline.bucketSeconds
            for (index, bucket) in phase.timeline.buckets.enumerated() {
                if let y = value(bucket, width) { points.append((phase.startOffsetSeconds + Double(index * width), y)) }
            }
        }
        return points.sorted { $0.x < $1.x }
    }
}
