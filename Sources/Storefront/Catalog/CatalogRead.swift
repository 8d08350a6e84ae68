/// How a catalog read may get its page.
public enum CatalogRead: Sendable, Equatable {
    /// From the cache, or loaded (single flight) when it is not there: the normal read.
    case loadIfNeeded
    /// From the cache only (fresh or stale; never a load or a refresh), so the read costs no
    /// database work; `overloaded` if the page is not cached. The admission layer asks for it for a
    /// request it would otherwise shed.
    case cacheOnly
}
