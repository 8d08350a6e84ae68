/// What a request is worth under overload: the lower the rank, the later it is shed.
public enum Priority: Int, Sendable, CaseIterable, Comparable {
    /// Paying customers.
    case checkout = 0
    /// Add-to-cart and cart edits.
    case cart = 1
    /// Catalog pages and search from identified clients.
    case browse = 2
    /// Crawlers and clients that do not say who they are.
    case bot = 3

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether a browse request looks like a crawler or an anonymous script.
    public static func isBot(userAgent: String?) -> Bool {
        guard let userAgent, !userAgent.isEmpty else { return true }
        let lowered = userAgent.lowercased()
        return lowered.contains("bot") || lowered.contains("crawler") || lowered.contains("spider")
    }
}
