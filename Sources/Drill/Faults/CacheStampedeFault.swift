import Database
import Synchronization

/// A catalog-wide invalidation every second: a no-op UPDATE of the hottest products fires the
/// catalog triggers' NOTIFY, and every store instance drops those pages (CatalogInvalidationListener).
final class CacheStampedeFault: Fault {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func inject(_ context: FaultContext) async throws -> String {
        let hottest = max(1, min(context.products, 2000))
        let admin = context.admin
        let loop = Task {
            while !Task.isCancelled {
                _ = try? await admin.query("UPDATE products SET popularity = popularity WHERE id <= \(hottest)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        task.withLock { $0 = loop }
        return "every second: UPDATE products SET popularity = popularity WHERE id <= \(hottest) (the catalog triggers NOTIFY; the store drops those pages)"
    }

    func remove(_ context: FaultContext) async throws -> String {
        let loop = task.withLock { task in defer { task = nil }; return task }
        loop?.cancel()
        await loop?.value
        return "the invalidation loop stopped"
    }
}
