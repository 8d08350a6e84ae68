import Database
import Synchronization

/// Counts the statements whose SQL contains `marker` (an observer of the query path).
final class StatementCounter: QueryObserver {
    let marker: String
    private let count = Mutex(0)

    init(_ marker: String) { self.marker = marker }

    func record(_ event: QueryEvent) {
        if event.sql.contains(marker) { count.withLock { $0 += 1 } }
    }

    var value: Int { count.withLock { $0 } }
}
