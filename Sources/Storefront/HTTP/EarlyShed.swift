import Foundation
import Guard
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Sheds browsing on the event loop, before a request costs a task, a router match or the
/// middleware chain: when `AdmissionController.browseVerdict` sheds a browse (or bot) `GET` right
/// now, the connection's handler answers the same 503 `overloaded` problem+json with `Retry-After`
/// that the router would, from pre-encoded bytes, and drops the request. A request the catalog cache
/// can answer is answered from its bytes (`RawEarlyShedHandler`) or passed on to the router.
///
/// Under a 10× surge most requests are shed, and on a small machine what a rejection costs decides
/// how much CPU is left for the requests that are admitted (BENCHMARKS.md, overload). Everything
/// else (cart, checkout, system routes, a request the limiter would queue) goes on to the router,
/// where `RequestLifecycleMiddleware` asks the same verdict and admits.
public struct EarlyShed: Sendable {
    /// A route pattern as components (`nil` matches any one segment, as `{id}`), for metrics labels.
    struct Pattern: Sendable {
        var path: String
        var components: [Substring?]
    }

    let controller: AdmissionController
    let patterns: [Pattern]
    /// What the catalog cache can answer instead of a rejection: such a request is answered from
    /// the cache's bytes (`RawEarlyShedHandler`) or passed on (the router serves it).
    let cache: CachedAnswers
    /// Called for each request answered here (shed, or from the cache) with its route pattern
    /// (`/v1/products/{id}`), status and the time taken.
    let onAnswer: @Sendable (_ route: String, _ status: Int, _ duration: Duration) -> Void
    let head: HTTPResponse
    let body: ByteBuffer
    /// The same answer as HTTP/1.1 bytes, for `RawEarlyShedHandler`.
    let rawResponse: ByteBuffer

    public init(controller: AdmissionController, endpoints: [StoreEndpoint], cache: CachedAnswers = .none,
                onAnswer: @escaping @Sendable (_ route: String, _ status: Int, _ duration: Duration) -> Void = { _, _, _ in }) {
        self.controller = controller
        self.cache = cache
        self.patterns = endpoints.filter { $0.method == .get && $0.routeClass == .browse }.map { endpoint in
            Pattern(path: endpoint.path, components: endpoint.path.split(separator: "/").map { $0.hasPrefix("{") ? nil : $0 })
        }
        self.onAnswer = onAnswer
        let error = Problem.overloaded()
        let data = error.problemJSON
        var fields = error.headers
        fields[.contentType] = "application/problem+json"
        fields[.contentLength] = "\(data.count)"
        self.head = HTTPResponse(status: error.status, headerFields: fields)
        self.body = ByteBuffer(bytes: data)
        self.rawResponse = error.rawAnswer(serverName: nil, dated: false).bytes
    }

    /// What to do with a browse (or bot) `GET` the limiter would reject now.
    enum Decision: Equatable {
        /// Not for here: pass it on.
        case pass
        /// Reject it (counted shed): answer 503 `overloaded`.
        case shed(route: String)
        /// The catalog cache can answer it: from bytes (`CachedAnswers.response`) or through the router.
        case cached(route: String, priority: Priority)
        /// A product page the cache does not hold, with a cache-fill slot taken for it: load it on the
        /// event loop (`ProductPages`, which gives the slot back).
        case fill(route: String, priority: Priority)
    }

    /// The browse route `request` is for, if it is one this would shed now; `nil` passes it on.
    func shouldShed(_ request: HTTPRequest) -> String? {
        guard request.method == .get, let path = request.path else { return nil }
        return shouldShed(path: path[...], userAgent: request.headerFields[.userAgent])
    }

    /// The browse route a `GET` of `path` is for, if it is one this would shed now (and counts it shed).
    func shouldShed(path: Substring, userAgent: String?) -> String? {
        switch decide(path: path, userAgent: userAgent, productPages: false) {
        case .shed(let route): return route
        default: return nil
        }
    }

    /// Decides on a `GET` of `path` (counting it shed when it is), by `AdmissionController.browseVerdict`.
    /// `productPages`: the caller loads product pages itself (`RawEarlyShedHandler` with `ProductPages`),
    /// so a product page the cache does not hold may get a cache-fill slot here (`.fill`); every other
    /// miss is shed here when the limiter refuses it, at the cost of a rejection.
    func decide(path: Substring, userAgent: String?, productPages: Bool) -> Decision {
        let priority: Priority = Priority.isBot(userAgent: userAgent) ? .bot : .browse
        // The limiter first: below the limit (the usual case) the path is never looked at.
        guard controller.wouldShed(priority) else { return .pass }
        let components = path.prefix { $0 != "?" }.split(separator: "/")
        guard let route = patterns.first(where: { Self.matches($0.components, components) })?.path else { return .pass }
        // From bytes a cached answer costs about what a rejection does; through the router it costs
        // more, and the router's verdict (not from bytes) lets it wait behind carts and checkouts.
        let fills = productPages && route == ProductPages.route
        switch controller.browseVerdict(priority, fromBytes: true, reserveFill: true, cacheHolds: { cache.canAnswer(route, path) },
                                        cacheKeeps: { fills && cache.cacheable(route, path) }) {
        case .admit: return .pass
        case .fromCache: return .cached(route: route, priority: priority)
        case .fill: return .fill(route: route, priority: priority)
        case .shed: return .shed(route: route)
        }
    }

    static func matches(_ pattern: [Substring?], _ components: [Substring]) -> Bool {
        guard pattern.count == components.count else { return false }
        for (expected, actual) in zip(pattern, components) where expected != nil && expected != actual { return false }
        return true
    }

    /// A new handler for one connection (for `HTTP1Channel`'s `additionalChannelHandlers`). With
    /// `raw`, it also puts a `RawEarlyShedHandler` first in the pipeline, before the HTTP/1 decoder.
    public func handler(raw: Bool = false) -> any RemovableChannelHandler { EarlyShedHandler(shed: self, raw: raw) }

    /// The connection handlers in front of the router: early shedding (`shed`), product pages on the
    /// event loop (`pages`), either, or both (for `HTTP1Channel`'s `additionalChannelHandlers`).
    static func handlers(shed: EarlyShed?, pages: ProductPages?) -> [any RemovableChannelHandler] {
        guard shed != nil || pages != nil else { return [] }
        return [EarlyShedHandler(shed: shed, raw: true, pages: pages)]
    }
}

/// One connection's early shed: sits after the HTTP/1 codec, sees `HTTPRequestPart`s. It answers only
/// when no earlier request on the connection is still waiting for its response, so answers never
/// overtake each other on a pipelined connection. Without `shed` it only counts the responses owed,
/// for the `RawEarlyShedHandler` it puts in front of the decoder.
final class EarlyShedHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let shed: EarlyShed?
    private let pages: ProductPages?
    /// Requests passed on whose response has not ended yet.
    private var pending = 0
    /// Dropping the rest of a shed request (its body and end).
    private var dropping = false

    /// Whether to put a `RawEarlyShedHandler` in front of the HTTP/1 decoder when added.
    private let raw: Bool

    init(shed: EarlyShed?, raw: Bool = false, pages: ProductPages? = nil) {
        self.shed = shed
        self.raw = raw
        self.pages = pages
    }

    /// A request passed on has not had its whole response yet.
    var owesResponse: Bool { pending > 0 || dropping }

    func handlerAdded(context: ChannelHandlerContext) {
        guard raw else { return }
        // Best effort: if it cannot be added, shedding still happens here, after the decoder.
        try? context.pipeline.syncOperations.addHandler(RawEarlyShedHandler(shed: shed, pages: pages, partner: self), position: .first)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            let start = ContinuousClock.now
            if let shed, pending == 0, request.headerFields[.connection] != "close", let route = shed.shouldShed(request) {
                dropping = true
                shed.onAnswer(route, 503, .now - start)
                context.write(wrapOutboundOut(.head(shed.head)), promise: nil)
                context.write(wrapOutboundOut(.body(shed.body)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            dropping = false
            pending += 1
            context.fireChannelRead(data)
        case .body, .end:
            if dropping {
                if case .end = part { dropping = false }
                return
            }
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { pending = max(0, pending - 1) }
        context.write(data, promise: promise)
    }
}
