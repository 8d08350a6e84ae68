/// One finished statement, as the query path saw it.
public struct QueryEvent: Sendable {
    /// The SQL text as sent (with `$n` placeholders; never bind values).
    public var sql: String
    /// How long it took, from sending to the last row.
    public var duration: Duration
    /// Rows returned or affected.
    public var rows: Int
    /// The error, if it failed.
    public var error: (any Error)?
    /// Who ran it.
    public var context: QueryContext?

    public init(sql: String, duration: Duration, rows: Int, error: (any Error)?, context: QueryContext?) {
        self.sql = sql
        self.duration = duration
        self.rows = rows
        self.error = error
        self.context = context
    }
}

/// Receives every statement the query path runs (statistics, metrics, slow-query log).
///
/// Called on the hot path: implementations must be cheap and must not block.
public protocol QueryObserver: Sendable {
    func record(_ event: QueryEvent)
}
