import HTTPTypes
import Hummingbird
import NIOCore

/// Lets a request through only with `Authorization: Bearer <token>`; the dashboard paths also
/// accept `?token=<token>` because a browser's address bar and `EventSource` cannot send headers.
public struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    public init(token: String) {
        self.token = token
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard authorized(request) else { throw Problem.unauthorized }
        return try await next(request, context)
    }

    func authorized(_ request: Request) -> Bool {
        guard !token.isEmpty else { return false }
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEquals(String(header.dropFirst("Bearer ".count)), token)
        {
            return true
        }
        if request.uri.path.hasPrefix("/dashboard"), let given = request.uri.queryParameters["token"] {
            return Self.constantTimeEquals(String(given), token)
        }
        return false
    }

    /// Compares without an early exit, so the time taken does not tell how much of a guess was right.
    static func constantTimeEquals(_ given: String, _ expected: String) -> Bool {
        let lhs = Array(given.utf8)
        let rhs = Array(expected.utf8)
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<rhs.count {
            difference |= rhs[index] ^ (index < lhs.count ? lhs[index] : 0)
        }
        return difference == 0
    }
}
