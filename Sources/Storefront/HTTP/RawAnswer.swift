import HTTPTypes
import Hummingbird
import NIOCore

/// The one writer of HTTP/1.1 answers sent as bytes from the event loop (product pages, cached
/// pages, shed and failed requests): the status line, the answer's fields, the server's own lines
/// (`Date`, `Server`), the blank line and the body, in the order Hummingbird's encoder writes them,
/// so they match the router's answer byte for byte (`ProductPagesTests`, `CachedAnswersTests`).
struct RawAnswer {
    private let status: Int
    private var head: String

    /// Starts an answer with `status`.
    init(_ status: HTTPResponse.Status) {
        self.status = Int(status.code)
        head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
    }

    /// Adds one header field.
    mutating func field(_ name: HTTPField.Name, _ value: String) {
        head += name.rawName
        head += ": "
        head += value
        head += "\r\n"
    }

    /// Adds every field of `fields`, in order.
    mutating func fields(_ fields: HTTPFields) {
        for field in fields { self.field(field.name, field.value) }
    }

    /// The whole answer: the head so far, `Date` (unless not `dated`: an answer encoded once and
    /// sent many times) and `Server` (`serverName`, if any) as the server adds them, the blank line,
    /// then `body`.
    func bytes(serverName: String?, body: ByteBuffer? = nil, dated: Bool = true) -> CachedAnswers.Answer {
        var head = head
        if dated { head += "Date: \(HTTPDate.now)\r\n" }
        if let serverName { head += "Server: \(serverName)\r\n" }
        head += "\r\n"
        var buffer = ByteBuffer()
        buffer.reserveCapacity(head.utf8.count + (body?.readableBytes ?? 0))
        buffer.writeString(head)
        if let body { buffer.writeImmutableBuffer(body) }
        return .init(status: status, bytes: buffer)
    }
}
