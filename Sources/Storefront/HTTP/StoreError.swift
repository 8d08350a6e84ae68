import Foundation
import HTTPTypes
import Hummingbird

/// A failure the client can act on, answered as `application/problem+json` (RFC 9457) with a stable `code`.
public struct StoreError: Error, Sendable, Equatable {
    /// Stable, snake_case, never changed once shipped.
    public var code: String
    public var status: HTTPResponse.Status
    /// Human explanation, specific to this request.
    public var detail: String
    /// Extra response headers (`Retry-After`).
    public var headers: HTTPFields = [:]

    public init(_ code: String, _ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.code = code
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public static func validation(_ detail: String) -> StoreError { .init("validation_failed", .badRequest, detail) }
    public static func notFound(_ detail: String) -> StoreError { .init("not_found", .notFound, detail) }
    public static func soldOut(_ detail: String) -> StoreError { .init("sold_out", .conflict, detail) }
    public static func cartConflict(_ detail: String) -> StoreError { .init("cart_conflict", .conflict, detail) }
    public static func unauthorized(_ detail: String) -> StoreError { .init("unauthorized", .unauthorized, detail) }
    public static func idempotencyMismatch(_ detail: String) -> StoreError { .init("idempotency_mismatch", .unprocessableContent, detail) }
    public static func paymentDeclined(_ detail: String) -> StoreError { .init("payment_declined", .init(code: 402, reasonPhrase: "Payment Required"), detail) }
    public static func unavailable(_ code: String, _ detail: String, retryAfterSeconds: Int = 1) -> StoreError {
        .init(code, .serviceUnavailable, detail, headers: [.retryAfter: "\(retryAfterSeconds)"])
    }
}

/// The problem+json body.
struct ProblemBody: Codable, Sendable {
    var type: String
    var title: String
    var status: Int
    var code: String
    var detail: String
}

extension StoreError: HTTPResponseError {
    /// The problem+json document of this error.
    var problemJSON: Data { Data(problemBuffer.readableBytesView) }

    /// The problem+json document, written without JSONEncoder (every rejection under a surge has one).
    var problemBuffer: ByteBuffer {
        ProblemBody(type: "https://surge.dev/problems/\(code)", title: status.reasonPhrase,
                    status: status.code, code: code, detail: detail).jsonBuffer
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: problemBuffer))
    }
}

extension StoreError {
    /// The router's answer to this error as HTTP/1.1 bytes (what `response(from:context:)` becomes
    /// on the wire, with the server's `Date` and `Server`), for answers written on the event loop.
    func rawAnswer(serverName: String?) -> CachedAnswers.Answer {
        .init(status: Int(status.code),
              bytes: rawBytes(trailer: "Date: \(HTTPDate.now)\r\n" + (serverName.map { "Server: \($0)\r\n" } ?? "")))
    }

    /// Status line, this error's fields, `Content-Type`, `Content-Length`, then `trailer` (whole
    /// header lines), the blank line and the problem+json body.
    func rawBytes(trailer: String = "") -> ByteBuffer {
        let body = problemBuffer
        var fields = headers
        fields[.contentType] = "application/problem+json"
        fields[.contentLength] = "\(body.readableBytes)"
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in fields { head += "\(field.name.rawName): \(field.value)\r\n" }
        head += trailer + "\r\n"
        var buffer = ByteBuffer()
        buffer.reserveCapacity(head.utf8.count + body.readableBytes)
        buffer.writeString(head)
        buffer.writeImmutableBuffer(body)
        return buffer
    }
}

extension StoreError: CustomStringConvertible {
    public var description: String { "\(code): \(detail)" }
}

/// JSON coding used by every response (snake_case keys, sorted for stable bytes and ETags).
enum StoreJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}
