import Foundation
import Reports

/// The self-contained HTML report: throughput against load with the fit and its interval band,
/// latency against load, evidence per step, and the text findings.
public enum CapacityHTML {
    public static func render(_ report: CapacityReport, resamples: Int = 200, seed: UInt64 = 1) -> String {
        var page = HTMLPage(title: "surge capacity" + (report.target.map { ": \($0)" } ?? ""))
        let estimate = report.estimate
        let points = estimate.points
        let highest = points.map(\.concurrency).max() ?? 1
        let span = max(highest, (estimate.peakLoad ?? highest) * 1.5, 1)
        let loads = (0...60).map { max(0.5, span * Double($0) / 60) }
        let models = USLBootstrap.resampledModels(points: points, fit: estimate.model, resamples: resamples, seed: seed)
        let band = USLBootstrap.band(models: models, loads: loads)
        let chartCeiling = 1.5 * max(points.map(\.throughput).max() ?? 0, loads.map { estimate.model.throughput(at: $0) }.max() ?? 0)
        var throughputSeries = [
            SVGChart.Series(name: "measured", points: points.map { ($0.concurrency, $0.throughput) }),
            SVGChart.Series(name: "USL fit", points: loads.map { ($0, estimate.model.throughput(at: $0)) }),
            SVGChart.Series(name: "\(Int(estimate.intervals.level * 100))% band low", points: zip(loads, band).map { ($0, $1.low) }),
            // An unbounded or very wide upper band would flatten the chart: it is clipped at 1.5× the highest curve point.
            SVGChart.Series(name: "band high", points: zip(loads, band).map { ($0, min($1.high, chartCeiling)) }),
        ]
        if let prediction = report.prediction {
            throughputSeries.append(SVGChart.Series(name: "prediction from safe steps", points: loads.map { ($0, prediction.throughput(at: $0)) }))
        }
        page.heading("Throughput against load")
        page.raw(SVGChart(title: "Throughput (req/s) against requests in flight", xLabel: "in flight (N)", yLabel: "req/s",
                          series: throughputSeries).render())
        page.heading("Latency against load")
        let ratio = estimate.knee?.p99ToMeanRatio ?? 1
        var latencySeries = [
            SVGChart.Series(name: "p99 measured (ms)", points: points.compactMap { point in point.p99Seconds.map { (point.concurrency, $0 * 1000) } }),
            SVGChart.Series(name: "mean measured (ms)", points: points.compactMap { point in point.meanLatencySeconds.map { (point.concurrency, $0 * 1000) } }),
            SVGChart.Series(name: "p99 from the fit (ms)", points: loads.map { ($0, estimate.model.responseTime(at: $0) * ratio * 1000) }),
        ]
        if let knee = estimate.knee {
            latencySeries.append(SVGChart.Series(name: "objective", points: [(loads.first ?? 0, knee.objectiveSeconds * 1000), (span, knee.objectiveSeconds * 1000)]))
        }
        page.raw(SVGChart(title: "Latency against requests in flight", xLabel: "in flight (N)", yLabel: "ms", series: latencySeries).render())
        if !report.steps.isEmpty {
            page.heading("Evidence per step")
            let labels = report.steps.map { step in "\(step.step) (" + (step.offeredRate.map { "\(Format.number($0))/s" } ?? step.pacedShare.map { "\(Format.percent($0)) paced" } ?? "N=\(step.concurrency)") + ")" }
            func series(_ name: String, _ value: (StepMeasurement) -> Double?) -> SVGChart.Series? {
                let values = report.steps.enumerated().compactMap { index, step in value(step).map { (Double(index), $0) } }
                return values.isEmpty ? nil : SVGChart.Series(name: name, points: values)
            }
            let evidence = [
                series("pg active backends") { $0.evidence.activeBackends },
                series("postgres cores") { $0.evidence.processCores?["postgres"] },
                series("store cores") { $0.evidence.processCores?["surge"] },
                series("pool waiters") { $0.evidence.poolWaiters },
                series("lock waits") { $0.evidence.waitEvents?["Lock"] },
                series("host busy cores") { $0.evidence.hostBusyCores },
            ].compactMap { $0 }
            if !evidence.isEmpty {
                page.raw(SVGChart(title: "What the resources did at each step", xLabel: "step", yLabel: "count / cores",
                                  series: evidence, kind: .bars(labels: labels)).render())
            }
            page.table(headers: ["step", "in flight", "req/s", "p50", "p95", "p99", "errors", "evidence"],
                       rows: report.steps.map(CapacityText.row))
        }
        page.heading("Findings")
        for line in CapacityText.render(CapacityReport(target: report.target, steps: [], estimate: report.estimate, stopReason: report.stopReason,
                                                      limitingResource: report.limitingResource, sizing: report.sizing,
                                                      demandBound: report.demandBound)).split(separator: "\n") {
            page.paragraph(String(line))
        }
        if let check = report.predictionCheck {
            page.paragraph(String(format: "Prediction from safe load: %d steps predicted %@ req/s; the full ramp measured %@ req/s (error %+.1f%%).",
                                  check.fromSteps, Format.number(check.predictedPeak), Format.number(check.measuredPeak), check.errorPercent))
        }
        return page.render()
    }
}
