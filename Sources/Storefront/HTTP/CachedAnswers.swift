import Foundation
import NIOCore
import Synchronization

/// What the catalog cache can answer with no query, for the admission layer under overload: a
/// browse read the limiter would shed is served from the cache instead when the cache holds it
/// (fresh, or stale within its grace period). `StoreAPI.cachedAnswers` makes the store's.
public struct CachedAnswers: Sendable {
    /// What `RawEarlyShedHandler` read of a request's conditions, for a whole answer from bytes.
    public struct Conditions: Sendable {
        /// The `If-None-Match` value, if any.
        public var ifNoneMatch: String?
        /// No `Authorization` and no `X-Cart-Token`: the answer may say `Cache-Control: public`.
        public var anonymous: Bool
    }

    /// A whole HTTP/1.1 response and its status code.
    public struct Answer: Sendable {
        public var status: Int
        public var bytes: ByteBuffer
    }

    /// Whether a `GET` of `target` (path and query) for the endpoint `route` can be answered from
    /// the cache now. `RequestLifecycleMiddleware` then serves it through the router (`CatalogRead.cacheOnly`).
    public let canAnswer: @Sendable (_ route: String, _ target: Substring) -> Bool
    /// The whole HTTP/1.1 response to such a `GET`, from the cache, written on the event loop by
    /// `RawEarlyShedHandler` before any HTTP parsing; `nil` leaves the request to the router.
    public let response: @Sendable (_ route: String, _ target: Substring, _ conditions: Conditions) -> Answer?
    /// Whether the answer to a `GET` of `target` for `route` is one the cache keeps once read (held now
    /// or not): under overload such a read may run as a cache fill (`AdmissionController.acquireCacheFill`).
    public let cacheable: @Sendable (_ route: String, _ target: Substring) -> Bool

    public init(canAnswer: @escaping @Sendable (_ route: String, _ target: Substring) -> Bool,
                response: @escaping @Sendable (_ route: String, _ target: Substring, _ conditions: Conditions) -> Answer? = { _, _, _ in nil },
                cacheable: @escaping @Sendable (_ route: String, _ target: Substring) -> Bool = { _, _ in false }) {
        self.canAnswer = canAnswer
        self.response = response
        self.cacheable = cacheable
    }

    /// Answers nothing: everything the limiter would reject is shed.
    public static let none = CachedAnswers(canAnswer: { _, _ in false })
}

/// The `Date` header's value (RFC 9110 IMF-fixdate), formatted once per second.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, text: String)>((0, ""))
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static var now: String {
        var seconds = time(nil)
        return cache.withLock { cache in
            if cache.second == seconds { return cache.text }
            var parts = tm()
            gmtime_r(&seconds, &parts)
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let text = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
                + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
            cache = (seconds, text)
            return text
        }
    }
}
