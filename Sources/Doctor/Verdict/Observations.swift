import Foundation

/// What the doctor saw that is not a fault: said on a healthy verdict so "no database fault" is
/// read as "looked, and here is what was there", and demand above the baseline is visible.
enum Observations {
    /// Settings every installation changes (paths, locale, logging): left out of the list of tuned ones.
    static let quietSettings: Set<String> = [
        "application_name", "client_encoding", "DateStyle", "default_text_search_config", "TimeZone", "log_timezone",
        "lc_messages", "lc_monetary", "lc_numeric", "lc_time", "dynamic_shared_memory_type", "listen_addresses", "port",
        "unix_socket_directories", "data_directory", "config_file", "hba_file", "ident_file", "external_pid_file",
        "cluster_name", "ssl_cert_file", "ssl_key_file", "ssl", "log_line_prefix", "log_destination", "logging_collector",
        "log_directory", "log_filename", "log_rotation_age", "log_rotation_size", "log_truncate_on_rotation",
        "transaction_deferrable", "transaction_isolation", "transaction_read_only", "stats_temp_directory",
        "default_transaction_isolation", "extra_float_digits",
    ]

    static func describe(_ evidence: Evidence, _ thresholds: Thresholds) -> [String] {
        var lines: [String] = []
        let seconds = evidence.elapsedSeconds
        if let peak = evidence.activity.max(by: { $0.sessions.count < $1.sessions.count }) {
            let last = evidence.latestActivity.sessions
            lines.append("connections: \(last.count) now (\(last.filter(\.isActive).count) active, \(last.filter { $0.state == "idle" }.count) idle, \(last.filter(\.isIdleInTransaction).count) idle in transaction), peak \(peak.sessions.count) of \(evidence.facts.usableConnections) usable")
        }
        let delta = evidence.databaseDelta
        let rate = max(0, delta.commits - evidence.ownStatements) / seconds
        let baseline = evidence.last.database.statsAgeSeconds > 0 ? evidence.last.database.commits / evidence.last.database.statsAgeSeconds : 0
        if baseline > 0, rate >= thresholds.surgeMinimumCommitsPerSecond, rate >= baseline * thresholds.surgeFactor {
            lines.append(String(format: "demand: %.0f commits/s, %.1f× the average since the statistics began (%.0f/s, from their reset or initdb): above the baseline", rate, rate / baseline, baseline))
        } else {
            lines.append(String(format: "demand: %.0f commits/s (average since the statistics began %.0f/s), %.0f rollbacks/s", rate, baseline, delta.rollbacks / seconds))
        }
        let reads = delta.blocksRead + delta.blocksHit
        if reads > 0 { lines.append(String(format: "buffer cache: %.1f%% of %.0f block reads were hits", delta.blocksHit / reads * 100, reads)) }
        if let top = evidence.statementDeltas.first {
            let total = evidence.windowStatementTimeMs
            lines.append("top statement: \(Int(total > 0 ? top.timeMs / total * 100 : 0))% of \(Seconds.text(total / 1000)) database time, \(Int(top.calls)) calls, mean \(Seconds.text(top.meanMs / 1000)): \(Seconds.statement(top.query))")
        }
        if let cores = evidence.facts.cores {
            let onCPU = evidence.activity.map { Double($0.sessions.filter(\.isOnCPU).count) }
            let mean = onCPU.isEmpty ? 0 : onCPU.reduce(0, +) / Double(onCPU.count)
            lines.append(String(format: "CPU: %.1f backends on CPU on average, %d cores", mean, cores))
        } else {
            lines.append("CPU: unknown (the database host is not this machine; cores are read only for a local host)")
        }
        if let changed = evidence.facts.configurationAgeSeconds, changed < 3600 {
            lines.append("configuration reloaded \(Seconds.text(changed)) ago: settings may have changed recently")
        }
        let tuned = evidence.facts.changedSettings.filter { !quietSettings.contains($0.name) }
        if !tuned.isEmpty {
            let shown = tuned.prefix(12).map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
            lines.append("settings not at their defaults: \(shown)\(tuned.count > 12 ? ", … (\(tuned.count) in all)" : "")")
        }
        if delta.deadlocks > 0 { lines.append("\(Int(delta.deadlocks)) deadlocks in the window") }
        return lines
    }
}
