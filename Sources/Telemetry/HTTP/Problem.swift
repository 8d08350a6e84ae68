import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem (`application/problem+json`) with a stable `code`.
struct Problem: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let title: String
    let detail: String

    static let unauthorized = Problem(
        status: .unauthorized, code: "unauthorized", title: "Unauthorized",
        detail: "This endpoint needs the admin token: send 'Authorization: Bearer <token>' (SURGE_ADMIN_TOKEN, or the token printed at start).")

    static let doctorOff = Problem(
        status: .notFound, code: "doctor_off", title: "No doctor runs",
        detail: "No doctor evaluates this store's database: `surge serve` runs one unless --doctor-interval is 0.")

    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var code: String
        var detail: String
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(Body(type: "https://surge.dev/problems/\(code)", title: title, status: Int(status.code), code: code, detail: detail))
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
