import Database
import Foundation

/// Reads workloads from files: a SQL script, or the app's `/admin/queries` JSON.
public enum WorkloadFile {
    /// A SQL script: statements separated by `;`. A `-- calls: N` comment before a statement gives
    /// its weight (default 1), so a fixture can say how often each query runs.
    public static func parseSQL(_ script: String) -> Workload {
        var statements: [WorkloadStatement] = []
        for statement in SQLScript.statements(in: script) {
            var calls = 1.0
            for line in statement.preamble.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces).lowercased()
                if trimmed.hasPrefix("--"), let range = trimmed.range(of: "calls:") {
                    let number = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces).prefix { $0.isNumber || $0 == "." }
                    if let value = Double(number), value > 0 { calls = value }
                }
            }
            statements.append(WorkloadStatement(sql: statement.sql, calls: calls))
        }
        return Workload(source: .file, statements: statements)
    }

    /// One entry of the app's per-fingerprint statistics (`GET /admin/queries`).
    public struct AppQueryStat: Codable, Sendable {
        /// The statement's fingerprint text (`$n` for every value), a statement that can be planned.
        public var query: String
        public var calls: Double
        /// Total time over all calls, in milliseconds.
        public var total_time_ms: Double
        /// Rows returned or affected in total (optional).
        public var rows: Double?
        /// Distinct HTTP requests that ran it (optional); calls / requests > 1 hints at N+1.
        public var requests: Double?
    }

    /// The app's JSON: an array of `{"query": "…", "calls": N, "total_time_ms": X}` (optionally
    /// `"rows"` and `"requests"`), or an object with that array under `"queries"`.
    public static func parseAppStats(_ data: Data) throws -> Workload {
        struct Wrapped: Codable { var queries: [AppQueryStat] }
        let entries: [AppQueryStat]
        do {
            if let array = try? JSONDecoder().decode([AppQueryStat].self, from: data) {
                entries = array
            } else {
                entries = try JSONDecoder().decode(Wrapped.self, from: data).queries
            }
        } catch {
            throw AdvisorError.unreadableWorkload("expected a JSON array of {\"query\": \"…\", \"calls\": N, \"total_time_ms\": X}")
        }
        return Workload(source: .appStats, statements: entries.map {
            WorkloadStatement(sql: $0.query, calls: $0.calls, totalTimeMs: $0.total_time_ms, rows: $0.rows, requests: $0.requests)
        })
    }
}
