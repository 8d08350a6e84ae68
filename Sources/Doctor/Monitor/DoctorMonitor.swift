import Database
import Foundation
import Logging
import ServiceLifecycle
import Telemetry

/// The doctor inside the store: every `interval` it examines the store's own database (and reads
/// the store's own metrics in-process) and posts the verdict to the dashboard's `DoctorBoard`.
///
/// Light and bounded: one connection of its own (named `surge doctor`, not one of the store's pool,
/// which may be the thing starving), `statement_timeout` 3 s and `lock_timeout` 500 ms on
/// everything it sends (`DoctorSession`), a short window (`DoctorOptions.light`) and the whole look
/// bounded by `DoctorSession.examine`. Read-only, like the command. When the look fails (the server
/// is down, refuses, or has no free connection) the board says why, and the next look reconnects.
public struct DoctorMonitor: Service {
    let url: DatabaseURL
    let board: DoctorBoard
    let interval: Duration
    let options: DoctorOptions
    let logger: Logger

    /// - Parameters:
    ///   - storeMetrics: the store's Prometheus text, read in-process (`Telemetry.prometheusText`),
    ///     for the store causes (pool starvation, shedding, a slow payment provider, a cache stampede).
    public init(url: DatabaseURL, board: DoctorBoard, interval: Duration = .seconds(30), options: DoctorOptions = .light,
                storeMetrics: (@Sendable () -> String)? = nil, logger: Logger) {
        self.url = url
        self.board = board
        self.interval = interval
        var options = options
        options.storeMetricsText = storeMetrics
        self.options = options
        self.logger = logger
    }

    public func run() async throws {
        board.post(DoctorPanel(state: .pending, evaluatedAt: Date().timeIntervalSince1970, windowSeconds: options.window.seconds,
                               intervalSeconds: interval.seconds))
        // Graceful shutdown cancels the loop: a look under way ends at its next await.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await DoctorSession.with(url, logger: logger) { session in
                        while !Task.isCancelled {
                            try await look(session)
                            try await Task.sleep(for: interval)
                        }
                    }
                } catch {
                    if Task.isCancelled || error is CancellationError { return }
                    let reason = (error as? DoctorError)?.description ?? describeFailure(error)
                    logger.warning("doctor could not examine the database", metadata: ["reason": "\(reason)"])
                    board.post(DoctorPanel(state: .failed, evaluatedAt: Date().timeIntervalSince1970, error: reason,
                                           windowSeconds: options.window.seconds, intervalSeconds: interval.seconds))
                    try await Task.sleep(for: interval)
                }
            }
        }
    }

    /// One examination, posted.
    func look(_ session: DoctorSession) async throws {
        let started = ContinuousClock.now
        let evidence = try await session.examine(options)
        let verdict = Diagnosis.verdict(evidence, thresholds: options.thresholds)
        board.post(DoctorPanel(verdict, evidence: evidence, durationSeconds: (ContinuousClock.now - started).seconds,
                               intervalSeconds: interval.seconds))
    }
}

extension DoctorPanel {
    /// The dashboard's view of a verdict: every finding's cause, object, confidence and FIX lines.
    public init(_ verdict: Verdict, evidence: Evidence, durationSeconds: Double, intervalSeconds: Double, at date: Date = Date()) {
        self.init(
            state: .ok, evaluatedAt: date.timeIntervalSince1970,
            diagnosis: verdict.healthy ? ["DIAGNOSIS: no database fault"] : verdict.findings.map(\.diagnosisLine),
            findings: verdict.findings.map { finding in
                DoctorPanel.Finding(cause: finding.cause.rawValue, title: finding.cause.title, object: finding.object,
                                    keyEvidence: finding.keyEvidence, confidence: finding.confidence.rawValue,
                                    evidence: finding.evidence, fixes: finding.fixes)
            },
            seen: verdict.seen,
            skipped: verdict.skipped.map { "\($0.check): \($0.reason)" },
            windowSeconds: verdict.windowSeconds, durationSeconds: durationSeconds,
            // The statements inside the window plus the facts before it and the plans after it.
            statements: Int(evidence.ownStatements) + 2 + evidence.plans.count,
            intervalSeconds: intervalSeconds
        )
    }
}
