import HTTPTypes
@testable import Storefront
import Testing

/// The one table from domain errors to HTTP: each stable code gets its status, and what a retry may
/// fix gets `Retry-After`.
@Suite struct ProblemTableTests {
    @Test(arguments: [
        (StoreError.validation("x"), 400, false),
        (.notFound("x"), 404, false),
        (.soldOut("x"), 409, false),
        (.cartConflict("x"), 409, false),
        (.cartEmpty("x"), 409, false),
        (.holdExpired("x"), 409, false),
        (.idempotencyInProgress("x"), 409, false),
        (.idempotencyMismatch("x"), 422, false),
        (.paymentDeclined("x"), 402, false),
        (.paymentTimeout("x"), 503, true),
        (.overloaded("x"), 503, true),
    ])
    func eachDomainCodeHasOneStatus(error: StoreError, status: Int, retryAfter: Bool) {
        let problem = Problem(error)
        #expect(Int(problem.status.code) == status)
        #expect(problem.code == error.code)
        #expect(problem.detail == "x")
        #expect((problem.headers[.retryAfter] != nil) == retryAfter)
        let body = String(decoding: problem.problemJSON, as: UTF8.self)
        #expect(body.contains("\"code\":\"\(error.code)\""))
    }

    @Test func aFinalRefusalIsStoredAsTheTableAnswersIt() {
        let stored = StoredResponse(refusal: .soldOut("SKU-1 is sold out"))
        #expect(stored.status == 409)
        #expect(stored.contentType == "application/problem+json")
        #expect(stored.body == String(decoding: Problem(.soldOut("SKU-1 is sold out")).problemJSON, as: UTF8.self))
    }
}
