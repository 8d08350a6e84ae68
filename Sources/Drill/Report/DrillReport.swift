import Foundation

/// The postmortem of one drill: what broke, what users saw, how it was found and fixed, and whether
/// the fix holds. Its JSON (`--json`) is stable: fields are added, never renamed.
public struct DrillReport: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    /// One step of the drill, timestamped from the drill's start.
    public struct Event: Codable, Sendable, Equatable {
        public var atSeconds: Double
        public var step: String
        public var detail: String
    }

    /// What the doctor said, and when.
    public struct Detection: Codable, Sendable, Equatable {
        /// The causes this drill expects first (stable codes).
        public var expected: [String]
        /// Whether the doctor's first diagnosis named one of them.
        public var named: Bool
        /// The first diagnosis that named it (or the last one seen when none did).
        public var diagnosis: String?
        public var cause: String?
        public var object: String?
        public var fixes: [String]
        /// Doctor windows examined until it named the cause.
        public var windows: Int
        /// From the start of the surge (the incident's impact) to the verdict.
        public var secondsToDetect: Double?
    }

    /// What was changed to fix it.
    public struct Fix: Codable, Sendable, Equatable {
        /// The advisor's migration, as it printed it (postmortem).
        public var advice: String?
        /// Statements run, in order (the migration's CREATE INDEX CONCURRENTLY, a pg_terminate_backend).
        public var applied: [String]
        /// What else was done (the fault removed, the guarded profile on).
        public var actions: [String]
        public var profileAfter: String
    }

    /// One service level, before and after.
    public struct Objective: Codable, Sendable, Equatable {
        public var name: String
        public var target: String
        public var before: Double
        public var after: Double?
        public var unit: String
        public var heldBefore: Bool
        public var heldAfter: Bool
    }

    public var version = DrillReport.currentVersion
    public var drill: String
    public var title: String
    public var summary: String
    public var startedAt: String
    /// private (own PostgreSQL and store), database (own store on a given database) or target.
    public var mode: String
    public var products: Int?
    public var ratePerSecond: Double
    public var surgeMultiplier: Double
    public var injected: String?
    public var removed: String?
    public var before: SurgeFigures
    public var after: SurgeFigures?
    public var detection: Detection
    public var fix: Fix?
    public var objectives: [Objective]
    public var timeline: [Event]
    /// From the surge's start to the doctor's verdict.
    public var secondsToDetect: Double?
    /// Time to detect plus the time from the end of the "before" surge to the fix in place (the
    /// replay lets the before surge run its course so its impact is measured whole; that wait is not
    /// counted).
    public var secondsToResolve: Double?
    public var totalSeconds: Double
    /// Every objective held after the fix.
    public var passed: Bool
}
