import Foundation
import Synchronization

/// What the doctor last concluded about the store's own database, as the dashboard shows it and
/// `GET /admin/doctor` serves it. Telemetry does not run the doctor: the `Doctor` target's
/// `DoctorMonitor` evaluates periodically and posts here (so Telemetry needs no Doctor import).
public struct DoctorPanel: Codable, Sendable, Equatable {
    /// `ok` (a verdict), `failed` (the doctor could not look: `error` says why), `pending` (no evaluation yet).
    public var state: State
    /// When the evaluation ended, seconds since 1970.
    public var evaluatedAt: Double
    /// One `DIAGNOSIS:` line per cause, most important first; `DIAGNOSIS: no database fault` when healthy.
    public var diagnosis: [String]
    public var findings: [Finding]
    /// What the doctor saw that is not a fault.
    public var seen: [String]
    /// Checks it could not run, with why (a privilege, an extension).
    public var skipped: [String]
    public var error: String?
    /// The evidence window, and what the evaluation cost: its wall time and the statements it sent.
    public var windowSeconds: Double
    public var durationSeconds: Double
    public var statements: Int
    /// How often the doctor looks, so the page can say when the next look is due.
    public var intervalSeconds: Double

    public enum State: String, Codable, Sendable {
        case pending, ok, failed
    }

    /// One cause, as the page shows it.
    public struct Finding: Codable, Sendable, Equatable {
        /// Stable cause code (`blocking_chain`), and how the DIAGNOSIS line names it.
        public var cause: String
        public var title: String
        public var object: String
        public var keyEvidence: String
        /// `low`, `medium` or `high`.
        public var confidence: String
        public var evidence: [String]
        /// Exact SQL or actions; nobody runs them for you.
        public var fixes: [String]

        public init(cause: String, title: String, object: String, keyEvidence: String, confidence: String, evidence: [String], fixes: [String]) {
            self.cause = cause
            self.title = title
            self.object = object
            self.keyEvidence = keyEvidence
            self.confidence = confidence
            self.evidence = evidence
            self.fixes = fixes
        }

        enum CodingKeys: String, CodingKey {
            case cause, title, object, keyEvidence = "key_evidence", confidence, evidence, fixes
        }
    }

    public init(state: State, evaluatedAt: Double, diagnosis: [String] = [], findings: [Finding] = [], seen: [String] = [],
                skipped: [String] = [], error: String? = nil, windowSeconds: Double = 0, durationSeconds: Double = 0,
                statements: Int = 0, intervalSeconds: Double) {
        self.state = state
        self.evaluatedAt = evaluatedAt
        self.diagnosis = diagnosis
        self.findings = findings
        self.seen = seen
        self.skipped = skipped
        self.error = error
        self.windowSeconds = windowSeconds
        self.durationSeconds = durationSeconds
        self.statements = statements
        self.intervalSeconds = intervalSeconds
    }

    enum CodingKeys: String, CodingKey {
        case state, evaluatedAt = "evaluated_at", diagnosis, findings, seen, skipped, error
        case windowSeconds = "window_seconds", durationSeconds = "duration_seconds", statements, intervalSeconds = "interval_seconds"
    }
}

/// Holds the doctor's latest panel; nil until a monitor posts (the store runs without one in tests).
public final class DoctorBoard: Sendable {
    private let panel = Mutex<DoctorPanel?>(nil)

    public init() {}

    public var latest: DoctorPanel? { panel.withLock { $0 } }

    public func post(_ latest: DoctorPanel) {
        panel.withLock { $0 = latest }
    }
}
