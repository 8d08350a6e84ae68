import Foundation
import HTTPTypes
import Hummingbird
import Reproducible

/// HTTP caching of catalog reads: a strong `ETag` (a hash of the response bytes, which are stable
/// because StoreJSON sorts keys), `304 Not Modified` for a matching `If-None-Match`, and for
/// anonymous requests `Cache-Control` with `max-age` and `stale-while-revalidate`. With the catalog
/// cache in front of the database, a revalidation costs no query.
struct ConditionalGetMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Paths (OpenAPI form) of the catalog reads this applies to.
    let paths: Set<String>
    static var cacheControl: String { "public, max-age=5, stale-while-revalidate=30" }
    /// Bodies above this are sent as they are, without an ETag.
    static var maximumBytes: Int { 1 << 20 }

    init(endpoints: [StoreEndpoint]) {
        self.paths = Set(endpoints.filter { $0.method == .get && $0.routeClass == .browse }.map(\.path))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // HEAD runs the GET handler (the router's generated HEAD route): it gets the same ETag and 304.
        guard request.method == .get || request.method == .head, let path = context.endpointPath, paths.contains(path) else {
            return try await next(request, context)
        }
        var response = try await next(request, context)
        guard response.status == .ok, let length = response.body.contentLength, length <= Self.maximumBytes else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let tag = "\"\(EntityTag.hash(collector.buffer.readableBytesView))\""
        response.headers[.eTag] = tag
        if request.headers[.authorization] == nil && request.headers[StoreAPI.cartToken] == nil {
            response.headers[.cacheControl] = Self.cacheControl
        }
        if let condition = request.headers[.ifNoneMatch], EntityTag.matches(condition, tag) {
            var headers = response.headers
            headers[.contentLength] = nil
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        response.body = .init(byteBuffer: collector.buffer)
        return response
    }
}

/// Strong entity tags: FNV-1a 64 of the bytes (stable across processes, unlike `Hasher`).
enum EntityTag {
    static func hash(_ bytes: some Sequence<UInt8>) -> String {
        FNV1a.hex16(FNV1a.hash(bytes))
    }

    /// Whether an `If-None-Match` value (`*`, or a list of tags, possibly weak) matches `tag`.
    static func matches(_ condition: String, _ tag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == tag || trimmed == "W/" + tag
        }
    }
}

/// Collects a response body's bytes (a class, since `ResponseBody.write` consumes its writer).
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
