import Database
import Logging
@testable import Storefront
import Testing

/// A pipelined statement the server refused is answered like the same refusal from the pool.
@Suite struct PipelineErrorTests {
    static let logger = Logger(label: "surge.tests.pipeline-errors")

    @Test(arguments: [("57014", "deadline_exceeded"), ("55P03", "busy"), ("40P01", "busy"), ("40001", "busy"), ("53300", "overloaded")])
    func refusalsForTimeOrCapacityAre503s(sqlState: String, code: String) {
        let answer = ProblemTranslator.translate(PipelineServerError(sqlState: sqlState, message: "refused"), logger: Self.logger)
        #expect(answer.code == code)
        #expect(answer.status == .serviceUnavailable)
    }

    @Test func anyOtherRefusalIsAnInternalError() {
        let answer = ProblemTranslator.translate(PipelineServerError(sqlState: "22012", message: "division by zero"), logger: Self.logger)
        #expect(answer.code == "internal_error")
        #expect(answer.status == .internalServerError)
        #expect(!answer.detail.contains("division"), "no internals in the answer")
    }

    /// A value PostgreSQL could not hold (NUL: 22021) came from the client: 400, never a 500.
    @Test(arguments: ["22021", "22P05", "22001", "22003", "22P02"])
    func aValuePostgreSQLCannotHoldIsTheClientsMistake(sqlState: String) {
        let answer = ProblemTranslator.translate(PipelineServerError(sqlState: sqlState, message: "refused"), logger: Self.logger)
        #expect(answer.code == "validation_failed")
        #expect(answer.status == .badRequest)
    }

    @Test func timeoutsLowerTheAdmissionLimit() {
        #expect(RequestLifecycle.isCapacityFailure(PipelineServerError(sqlState: "57014", message: "canceling statement")))
        #expect(!RequestLifecycle.isCapacityFailure(PipelineServerError(sqlState: "22012", message: "division by zero")))
    }

    /// A refusal admission throws (`RequestLifecycle.admitted`) is answered as itself, in both lanes:
    /// the event-loop lane used to turn it into a 500.
    @Test func aProblemIsAnsweredAsItself() {
        let shed = Problem.overloaded(retryAfterSeconds: 3)
        let answer = ProblemTranslator.translate(shed, logger: Self.logger)
        #expect(answer == shed)
        #expect(answer.status == .serviceUnavailable)
        #expect(answer.headers[.retryAfter] == "3")
    }
}
