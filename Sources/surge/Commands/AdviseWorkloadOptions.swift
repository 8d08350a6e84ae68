import Advisor
import ArgumentParser
import Database
import Foundation

/// Where `surge analyze` and `surge advise` read the workload, and their safety limits.
struct AdviseWorkloadOptions: ParsableArguments {
    @Option(name: .customLong("workload"), help: "A .sql file of statements (`-- calls: N` before one sets its weight) or the app's /admin/queries .json. Default: pg_stat_statements.")
    var workloadFile: String?

    @Option(help: "Measure pg_stat_statements over this window instead of using totals since reset (e.g. 60s, 5m).")
    var window: String?

    @Option(help: "statement_timeout for every statement the advisor sends (e.g. 10s; default 10s).")
    var statementTimeout: String = "10s"

    @Flag(help: "Output JSON.")
    var json = false

    /// The statement timeout as a Duration.
    func timeout() throws -> Duration {
        guard let value = DurationText.parse(statementTimeout), value > .zero else {
            throw UsageError("--statement-timeout \(statementTimeout) is not a duration: use e.g. 10s, 500ms or 2m")
        }
        return value
    }

    /// The workload window, if any.
    func windowDuration() throws -> Duration? {
        guard let window else { return nil }
        guard workloadFile == nil else { throw UsageError("--window measures pg_stat_statements: drop --workload to use it") }
        guard let value = DurationText.parse(window), value > .zero, value <= .seconds(3600) else {
            throw UsageError("--window \(window) is not a duration up to 1h: use e.g. 60s or 5m")
        }
        return value
    }

    /// Reads the workload from the file, or from pg_stat_statements (totals or a window delta).
    func load(_ connection: DatabaseConnection, server: ServerInfo) async throws -> (Workload, [Int64: Int64]?) {
        if let path = workloadFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UsageError("cannot read --workload \(path): give a readable .sql or .json file")
            }
            let workload: Workload
            if path.hasSuffix(".json") {
                workload = try WorkloadFile.parseAppStats(data)
            } else {
                workload = WorkloadFile.parseSQL(String(decoding: data, as: UTF8.self))
            }
            guard !workload.statements.isEmpty else { throw AdvisorError.emptyWorkload }
            return (workload, nil)
        }
        try StatStatements.requireAvailable(server)
        let result: (Workload, [Int64: Int64]?)
        if let window = try windowDuration() {
            FileHandle.standardError.write(Data("surge: measuring pg_stat_statements for \(window)…\n".utf8))
            let (workload, writes) = try await StatStatements.delta(connection, window: window)
            result = (workload, writes)
        } else {
            let (workload, writes) = try await StatStatements.totals(connection)
            result = (workload, writes)
        }
        guard !result.0.statements.isEmpty else { throw AdvisorError.emptyWorkload }
        return result
    }
}

/// `60s`, `500ms`, `5m`, `1h` → Duration.
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value.isFinite, value >= 0 else { return nil }
            return .milliseconds(Int64(value * seconds * 1000))
        }
        return nil
    }
}

/// `512MB`, `1GB`, `100kB`, `4366336` → bytes.
enum ByteText {
    static func parse(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("gb", 1_073_741_824), ("mb", 1_048_576), ("kb", 1024), ("b", 1)]
        let lower = text.lowercased()
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            guard let value = Double(lower.dropLast(suffix.count)), value.isFinite, value > 0 else { return nil }
            return Int64(value * factor)
        }
        // A plain number is bytes, as pg_relation_size prints them.
        if let bytes = Int64(lower.trimmingCharacters(in: .whitespaces)), bytes > 0 { return bytes }
        return nil
    }
}
