import Database
import Logging

/// Logs one structured line per statement slower than the threshold, with the fingerprint id,
/// duration, rows, route and request id as metadata (a JSON line with `JSONLogHandler`).
struct SlowQueryLog: Sendable {
    let threshold: Duration
    let logger: Logger

    func record(_ event: QueryEvent, fingerprint: FingerprintedSQL) {
        guard event.duration >= threshold else { return }
        var metadata: Logger.Metadata = [
            "fingerprint_id": .string(fingerprint.fingerprint.hexID),
            "duration_ms": .stringConvertible(Self.rounded(event.duration.millisecondsDouble)),
            "rows": .stringConvertible(event.rows),
            "route": .string(event.context?.route ?? "(none)"),
            "request_id": .string(event.context?.requestID ?? "(none)"),
            "query": .string(fingerprint.example),
        ]
        if let error = event.error { metadata["error"] = .string(String(describing: error)) }
        logger.warning("slow query", metadata: metadata)
    }

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
