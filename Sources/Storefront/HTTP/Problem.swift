import Foundation
import HTTPTypes
import Hummingbird

/// An answer as `application/problem+json` (RFC 9457) with a stable `code`: a domain `StoreError`
/// through the one table below, or the HTTP layer's own refusals (no route, body too large, shed).
public struct Problem: Error, Sendable, Equatable {
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

    /// The one table from domain errors to HTTP: status, and `Retry-After` for what a retry may fix.
    public init(_ error: StoreError) {
        switch error {
        case .validation: self.init(error.code, .badRequest, error.detail)
        case .notFound: self.init(error.code, .notFound, error.detail)
        case .soldOut, .cartConflict, .cartEmpty, .holdExpired, .idempotencyInProgress: self.init(error.code, .conflict, error.detail)
        case .idempotencyMismatch: self.init(error.code, .unprocessableContent, error.detail)
        case .paymentDeclined: self.init(error.code, .init(code: 402, reasonPhrase: "Payment Required"), error.detail)
        case .paymentTimeout, .overloaded: self = .unavailable(error.code, error.detail)
        }
    }

    public static func validation(_ detail: String) -> Problem { Problem(.validation(detail)) }
    public static func notFound(_ detail: String) -> Problem { Problem(.notFound(detail)) }
    public static func unauthorized(_ detail: String) -> Problem { .init("unauthorized", .unauthorized, detail) }
    public static func unavailable(_ code: String, _ detail: String, retryAfterSeconds: Int = 1) -> Problem {
        .init(code, .serviceUnavailable, detail, headers: [.retryAfter: "\(retryAfterSeconds)"])
    }
    /// Shed: the one answer every lane gives a request admission refused.
    public static func overloaded(retryAfterSeconds: Int = 1) -> Problem {
        .unavailable("overloaded", "the store is at capacity: retry shortly", retryAfterSeconds: retryAfterSeconds)
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

extension Problem: HTTPResponseError {
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

extension Problem {
    /// The router's answer to this error as HTTP/1.1 bytes (what `response(from:context:)` becomes
    /// on the wire, with the server's `Date` unless not `dated`, and `Server`), for answers written on
    /// the event loop.
    func rawAnswer(serverName: String?, dated: Bool = true) -> CachedAnswers.Answer {
        let body = problemBuffer
        var answer = RawAnswer(status)
        answer.fields(headers)
        answer.field(.contentType, "application/problem+json")
        answer.field(.contentLength, "\(body.readableBytes)")
        return answer.bytes(serverName: serverName, body: body, dated: dated)
    }
}

extension Problem: CustomStringConvertible {
    public var description: String { "\(code): \(detail)" }
}

extension StoredResponse {
    /// A final refusal as the idempotency record keeps it: the answer the table gives, so a retry
    /// with the same key replays the same status and problem+json.
    init(refusal error: StoreError) {
        let problem = Problem(error)
        self.init(status: Int(problem.status.code), body: String(decoding: problem.problemJSON, as: UTF8.self))
    }
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
