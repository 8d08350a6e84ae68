import Foundation
import Testing

/// deploy/prometheus/alerts.yml is checked and unit-tested by promtool (Debian package `prometheus`).
@Suite struct PrometheusRulesTests {
    @Test func alertRulesAreValid() async throws {
        let promtool = try Tool.locate("promtool", package: "prometheus")
        let result = try await Tool.run(promtool, ["check", "rules", Tool.repositoryRoot + "/deploy/prometheus/alerts.yml"])
        #expect(result.succeeded, "\(result.output)\n\(result.error)")
    }

    @Test func alertRuleUnitTestsPass() async throws {
        let promtool = try Tool.locate("promtool", package: "prometheus")
        let result = try await Tool.run(promtool, ["test", "rules", Tool.repositoryRoot + "/deploy/prometheus/alerts_test.yml"])
        #expect(result.succeeded, "\(result.output)\n\(result.error)")
        #expect(result.output.contains("SUCCESS"))
    }

    @Test func everyAlertLinksToAPlaybookAnchorThatExists() throws {
        let rules = try String(contentsOfFile: Tool.repositoryRoot + "/deploy/prometheus/alerts.yml", encoding: .utf8)
        let playbook = try String(contentsOfFile: Tool.repositoryRoot + "/docs/PLAYBOOK.md", encoding: .utf8)
        let links = rules.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "docs/PLAYBOOK.md#") else { return nil }
            return String(line[range.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
        let alerts = rules.split(separator: "\n").filter { $0.contains("- alert:") }
        #expect(!alerts.isEmpty)
        #expect(links.count == alerts.count)
        for anchor in links {
            #expect(playbook.contains("<a id=\"\(anchor)\"></a>"), "docs/PLAYBOOK.md has no anchor \(anchor)")
        }
    }
}
