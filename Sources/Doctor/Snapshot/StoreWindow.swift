/// The store's `/metrics` over the window: counters as deltas, gauges as last values.
struct StoreWindow {
    var first: StoreMetrics
    var last: StoreMetrics
    var seconds: Double

    init?(_ evidence: Evidence) {
        guard let first = evidence.storeFirst, let last = evidence.storeLast else { return nil }
        self.first = first
        self.last = last
        // The scrapes' own interval when they carry times (an overloaded store answers late), else the window's.
        self.seconds = last.at > first.at ? last.at - first.at : evidence.elapsedSeconds
    }

    /// How much a counter (or a histogram's `_sum`/`_count`) grew in the window.
    func delta(_ name: String, _ labels: [String: String] = [:]) -> Double {
        max(0, (last.sum(name, labels) ?? 0) - (first.sum(name, labels) ?? 0))
    }

    /// A histogram's mean over the window, in its unit; nil when nothing was observed.
    func mean(_ histogram: String, _ labels: [String: String] = [:]) -> Double? {
        let count = delta(histogram + "_count", labels)
        return count > 0 ? delta(histogram + "_sum", labels) / count : nil
    }

    func gauge(_ name: String, _ labels: [String: String] = [:]) -> Double? { last.sum(name, labels) }
}
