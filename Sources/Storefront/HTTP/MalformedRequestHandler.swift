import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Gives the answer to a request the HTTP/1 parser refused (a control character in the target, a
/// header line that is not one) a problem+json body with the stable code `malformed_request`.
///
/// Hummingbird answers such a request itself, before any router or middleware, with a bare
/// `400`, `Connection: close` and `Content-Length: 0`: no `Content-Type`, and no body to parse, where
/// every other answer of the store is problem+json. This rewrites exactly that head (the store's own
/// answers always have a `Content-Type`) and leaves everything else alone.
final class MalformedRequestHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let problem = Problem("malformed_request", .badRequest,
                                    "the request is not valid HTTP/1.1: its request line or a header line could not be parsed")

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(let head) = unwrapOutboundIn(data), head.status == .badRequest,
              head.headerFields[.contentType] == nil, head.headerFields[.contentLength] == "0" else {
            return context.write(data, promise: promise)
        }
        let body = Self.problem.problemBuffer
        var fields = head.headerFields
        fields[.contentType] = "application/problem+json"
        fields[.contentLength] = "\(body.readableBytes)"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .badRequest, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: promise)
    }
}
