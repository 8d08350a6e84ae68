import Foundation
import Reports

/// The postmortem as a self-contained HTML page (inline SVG charts, no scripts, no external assets),
/// in the postmortem's own shape: summary, impact, timeline, root cause, fix, detection and
/// resolution times, objectives.
public enum DrillHTML {
    public static func render(_ report: DrillReport) -> String {
        var page = HTMLPage(title: "Postmortem (drill): \(report.title)")
        let verdict = report.passed ? "PASS" : "FAIL"
        let color = report.passed ? "#2ca02c" : "#d62728"
        page.raw("""
            <p style="font-size:18px"><b style="color:\(color)">\(verdict)</b> — \(HTMLPage.escape(summaryLine(report)))</p>
            """)

        page.heading("Summary")
        page.paragraph(report.summary.prefix(1).uppercased() + report.summary.dropFirst() + ".")
        var facts: [[String]] = [
            ["drill", report.drill + " (\(report.mode))"],
            ["started", report.startedAt],
            ["traffic", String(format: "flash sale at %gx the normal mix (%g journeys/s), with bursts of buyers", report.surgeMultiplier, report.ratePerSecond)],
        ]
        if let products = report.products { facts.append(["catalog", "\(products) products"]) }
        facts.append(["time to detect", report.secondsToDetect.map { String(format: "%.1f s", $0) } ?? "not detected"])
        facts.append(["time to resolve", report.secondsToResolve.map { String(format: "%.1f s", $0) } ?? "—"])
        facts.append(["drill length", String(format: "%.0f s", report.totalSeconds)])
        textTable(&page, headers: ["", ""], rows: facts)

        page.heading("Impact: what users saw")
        let rows = SurgeFigures.rows(brief: false).map { row in [row.name, row.value(report.before), report.after.map(row.value) ?? "—"] }
        page.table(headers: ["", "before (fault in)", "after (fix in place)"], rows: rows)
        let examples = [("before", report.before), ("after", report.after)].flatMap { label, figures in
            (figures?.failureExamples ?? [:]).sorted { $0.key < $1.key }.map { [label, $0.key, $0.value] }
        }
        if !examples.isEmpty { textTable(&page, headers: ["surge", "failure", "first example"], rows: examples) }
        page.raw(chart("Goodput over time", "successful responses/s", report) { $0.goodputPerSecond })
        page.raw(chart("p99 latency over time", "ms", report) { $0.p99Milliseconds })

        page.heading("Timeline")
        textTable(&page, headers: ["t (s)", "step", "what happened"],
                  rows: report.timeline.map { [String(format: "%.1f", $0.atSeconds), $0.step, $0.detail] })

        page.heading("Root cause, as the doctor named it")
        let detection = report.detection
        page.paragraph(detection.diagnosis ?? "—")
        var cause: [[String]] = [
            ["expected", detection.expected.isEmpty ? "(none: recovery drill)" : detection.expected.joined(separator: " or ")],
            ["named", detection.named ? "yes, after \(detection.windows) window(s)" : "no (\(detection.windows) window(s))"],
        ]
        if let object = detection.object { cause.append(["object", object]) }
        for fix in detection.fixes { cause.append(["FIX", fix]) }
        if let injected = report.injected { cause.append(["fault injected", injected]) }
        textTable(&page, headers: ["", ""], rows: cause)

        page.heading("The fix")
        if let fix = report.fix {
            var lines = fix.applied.map { ["applied", $0] } + fix.actions.map { ["done", $0] }
            if lines.isEmpty { lines = [["", "nothing applied"]] }
            textTable(&page, headers: ["", ""], rows: lines)
            if let advice = fix.advice {
                page.raw("<pre style=\"background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px\">\(HTMLPage.escape(advice))</pre>")
            }
        } else {
            page.paragraph("No fix applied: a deployment you own is diagnosed, never changed by a drill.")
        }

        page.heading("Service level objectives")
        page.table(headers: ["objective", "target", "before", "after", "held after the fix"], rows: report.objectives.map { objective in
            [objective.name, objective.target, value(objective.before, objective.unit), objective.after.map { value($0, objective.unit) } ?? "—",
             objective.after == nil ? (objective.heldBefore ? "held (no fix)" : "missed (no fix)") : (objective.heldAfter ? "yes" : "NO")]
        })
        return page.render()
    }

    /// A table of sentences: every column left-aligned (HTMLPage's tables right-align numbers).
    static func textTable(_ page: inout HTMLPage, headers: [String], rows: [[String]]) {
        let cell = "style=\"text-align:left\""
        var html = "<table><tr>" + headers.map { "<th \(cell)>\(HTMLPage.escape($0))</th>" }.joined() + "</tr>"
        for row in rows { html += "<tr>" + row.map { "<td \(cell)>\(HTMLPage.escape($0))</td>" }.joined() + "</tr>" }
        page.raw(html + "</table>")
    }

    static func summaryLine(_ report: DrillReport) -> String {
        var parts = ["\(report.title)"]
        if let seconds = report.secondsToDetect { parts.append(String(format: "named by the doctor in %.1f s", seconds)) }
        if let after = report.after {
            parts.append(String(format: "checkout completion %.1f%% → %.1f%%, checkout p99 %.0f → %.0f ms",
                                report.before.checkoutCompletionPercent, after.checkoutCompletionPercent,
                                report.before.checkoutP99Milliseconds, after.checkoutP99Milliseconds))
        }
        return parts.joined(separator: "; ")
    }

    static func value(_ number: Double, _ unit: String) -> String {
        unit == "%" ? String(format: "%.1f%%", number) : String(format: "%.0f ms", number)
    }

    static func chart(_ title: String, _ yLabel: String, _ report: DrillReport, _ value: (SurgeFigures.Point) -> Double) -> String {
        var series = [SVGChart.Series(name: "before (\(report.before.profile))", points: report.before.timeline.map { ($0.second, value($0)) })]
        if let after = report.after {
            series.append(SVGChart.Series(name: "after (\(after.profile), fixed)", points: after.timeline.map { ($0.second, value($0)) }))
        }
        return SVGChart(title: title, xLabel: "seconds into the surge", yLabel: yLabel, series: series).render()
    }
}
