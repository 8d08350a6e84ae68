/// What a request is worth to the business, which sets its deadline (and, under overload, its priority).
public enum RouteClass: String, Sendable, CaseIterable {
    /// Paying customers: the last traffic to be shed.
    case checkout
    /// Add-to-cart and cart edits.
    case cart
    /// Catalog pages and search.
    case browse
    /// Health, metrics, admin: never touches the catalog.
    case system

    /// How long a request of this class may take end to end; its SQL is cancelled on the server past it.
    public var deadline: Duration {
        switch self {
        case .checkout: .seconds(10)
        case .cart: .seconds(5)
        case .browse: .seconds(2)
        case .system: .seconds(5)
        }
    }
}
