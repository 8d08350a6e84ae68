@testable import Database
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Testing
import TestSupport

/// `StatementPipeline` against the suite's PostgreSQL: answers in order and intact under concurrency,
/// errors confined to their own execution, and every failure turned into "use the pool" (nil) or a
/// clear error, never a wrong answer.
@Suite struct StatementPipelineTests {
    static let square = PipelinedStatement(name: "t_square", sql: "SELECT ($1::int8 * $1::int8)::text", parameterTypes: [.int8])
    static let divide = PipelinedStatement(name: "t_divide", sql: "SELECT (100 / $1::int8)::text", parameterTypes: [.int8])
    static let series = PipelinedStatement(name: "t_series", sql: "SELECT g::text FROM generate_series(1, $1::int8) g", parameterTypes: [.int8])
    static let shout = PipelinedStatement(name: "t_shout", sql: "SELECT upper($1::text), NULL::text", parameterTypes: [.text])
    static let nothing = PipelinedStatement(name: "t_nothing", sql: "SELECT NULL::text", parameterTypes: [])
    static let sleep = PipelinedStatement(name: "t_sleep", sql: "SELECT pg_sleep($1::int8 / 1000.0)::text", parameterTypes: [.int8])
    static let all = [square, divide, series, shout, nothing, sleep]

    static func text(_ rows: [ByteBuffer?]?) -> [String?]? {
        rows.map { $0.map { $0.map { String(buffer: $0) } } }
    }

    @Test func concurrentExecutionsGetTheirOwnAnswers() async throws {
        try await TestPostgres.withFreshDatabase(pipeline: Self.all) { database, _ in
            // 400 at once on two connections of depth 64: at least the first 128 are pipelined, the
            // others may be sent to the pool (nil); no answer is another execution's.
            let results = try await withThrowingTaskGroup(of: (Int64, [String?]?).self) { group in
                for n in Int64(1)...400 {
                    group.addTask { (n, Self.text(try await database.pipelined(Self.square, [.int64(n)]))) }
                }
                return try await group.reduce(into: [Int64: [String?]?]()) { $0[$1.0] = .some($1.1) }
            }
            #expect(results.count == 400)
            let pipelined = results.compactMap { n, rows in rows.map { (n, $0) } }
            #expect(pipelined.count >= 128)
            for (n, rows) in pipelined { #expect(rows == ["\(n * n)"], "square of \(n)") }
            #expect(Self.text(try await database.pipelined(Self.series, [.int64(3)])) == ["1", "2", "3"])
            #expect(Self.text(try await database.pipelined(Self.series, [.int64(0)])) == [])
            #expect(Self.text(try await database.pipelined(Self.shout, [.text("it's 'quoted'")])) == ["IT'S 'QUOTED'"])
            #expect(Self.text(try await database.pipelined(Self.nothing, [])) == [nil])
        }
    }

    /// 100 / 0 fails on the server; the executions sent before and after it on the same connections
    /// still get their own answers (each has its own Sync).
    @Test func anErrorEndsOnlyItsOwnExecution() async throws {
        try await TestPostgres.withFreshDatabase(pipeline: Self.all) { database, _ in
            let outcomes = await withTaskGroup(of: (Int64, Result<[String?]?, any Error>).self) { group in
                for n in Int64(-50)...50 {
                    group.addTask {
                        do { return (n, .success(Self.text(try await database.pipelined(Self.divide, [.int64(n)])))) }
                        catch { return (n, .failure(error)) }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (n, outcome) in outcomes {
                switch outcome {
                case .success(let rows):
                    #expect(n != 0)
                    #expect(rows == ["\(100 / n)"], "100 / \(n)")
                case .failure(let error):
                    #expect(n == 0)
                    #expect((error as? PipelineServerError)?.sqlState == "22012", "\(error)")
                }
            }
        }
    }

    @Test func aStatementItWasNotGivenGoesToThePool() async throws {
        try await TestPostgres.withFreshDatabase(pipeline: [Self.square]) { database, _ in
            let unknown = try await database.pipelined(Self.divide, [.int64(5)])
            #expect(unknown == nil)
            #expect(Self.text(try await database.pipelined(Self.square, [.int64(5)])) == ["25"])
        }
        try await TestPostgres.withFreshDatabase { database, _ in
            #expect(database.pipeline == nil)
            let none = try await database.pipelined(Self.square, [.int64(5)])
            #expect(none == nil)
        }
    }

    /// Killed backends: what was waiting comes back as nil (run it on the pool), nothing hangs, and
    /// the pipeline reconnects on its own.
    @Test func aLostConnectionFallsBackAndReconnects() async throws {
        try await TestPostgres.withFreshDatabase(pipeline: Self.all) { database, _ in
            let pipeline = try #require(database.pipeline)
            let slow = Task { try await database.pipelined(Self.sleep, [.int64(5_000)]) }
            // Wait until the sleep runs, then end every pipelined backend of this database.
            for _ in 0..<500 {
                let running = try await database.query("""
                    SELECT count(*)::int FROM pg_stat_activity
                    WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%' AND state = 'active'
                    """).first?.decode(Int.self) ?? 0
                if running > 0 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let ended = try await database.query("""
                SELECT count(*)::int FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name LIKE '% pipeline') t
                """).first?.decode(Int.self) ?? 0
            #expect(ended == pipeline.configuration.eventLoops.count)
            let clock = ContinuousClock.now
            let lost = try await slow.value
            #expect(lost == nil)
            #expect(clock.duration(to: .now) < .seconds(4), "the wait ended with the connection, not the sleep")
            // Back by itself: poll until a statement is pipelined again.
            var answered: [String?]? = nil
            for _ in 0..<300 where answered == nil {
                answered = Self.text(try await database.pipelined(Self.square, [.int64(7)]))
                if answered == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(answered == ["49"])
            try await pipeline.waitUntilOpen(timeout: .seconds(10))
        }
    }

    /// A deadline ends the wait with DeadlineExceeded; the connection stays in step, and the next
    /// execution behind the slow one gets its own answer.
    @Test func aDeadlineEndsTheWaitAndKeepsTheConnectionInStep() async throws {
        try await TestPostgres.withFreshDatabase(pipeline: Self.all) { database, _ in
            let pipeline = try #require(database.pipeline)
            await #expect(throws: DeadlineExceeded.self) {
                try await pipeline.execute(Self.sleep, [.int64(300)], timeout: .milliseconds(50))
            }
            for n in Int64(1)...20 {
                #expect(Self.text(try await pipeline.execute(Self.square, [.int64(n)])) == ["\(n * n)"])
            }
        }
    }

    /// The connection's statement_timeout (the session settings) bounds every pipelined statement.
    @Test func theSessionStatementTimeoutBoundsEveryStatement() async throws {
        try await TestPostgres.withFreshDatabase { _, url in
            var settings = SessionSettings()
            settings.statementTimeout = .milliseconds(100)
            try await TestPostgres.withDatabase(url, settings: settings, pipeline: Self.all) { database in
                await #expect {
                    try await database.pipelined(Self.sleep, [.int64(2_000)])
                } throws: { ($0 as? PipelineServerError)?.sqlState == "57014" }
                let after = try await database.pipelined(Self.square, [.int64(3)])
                #expect(Self.text(after) == ["9"])
            }
        }
    }

    /// Beyond `maximumDepth` waiting executions on a connection, the caller is sent to the pool.
    @Test func aFullConnectionSendsTheCallerToThePool() async throws {
        try await TestPostgres.withFreshDatabase { _, url in
            var logger = Logger(label: "surge.tests.pipeline")
            logger.logLevel = .critical
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let pipeline = StatementPipeline(.init(url: url, settings: .init(), statements: Self.all, eventLoops: [loop], maximumDepth: 2),
                                             logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pipeline.run() }
                defer { group.cancelAll() }
                try await pipeline.waitUntilOpen(timeout: .seconds(30))
                async let first = pipeline.execute(Self.sleep, [.int64(400)])
                async let second = pipeline.execute(Self.sleep, [.int64(400)])
                try await Task.sleep(for: .milliseconds(150))
                let full = try await pipeline.execute(Self.square, [.int64(2)])
                #expect(full == nil)
                #expect(Self.text(try await first) == [""])
                #expect(Self.text(try await second) == [""])
                #expect(Self.text(try await pipeline.execute(Self.square, [.int64(2)])) == ["4"])
            }
        }
    }

    /// A URL that requires TLS gets no pipelined connections (the pool serves everything).
    @Test func aTLSURLGetsNoPipeline() async throws {
        let url = try DatabaseURL("postgres://u:p@127.0.0.1:1/db?sslmode=require")
        let pipeline = StatementPipeline(.init(url: url, settings: .init(), statements: Self.all), logger: Logger(label: "t"))
        let none = try await pipeline.execute(Self.square, [.int64(2)])
        #expect(none == nil)
        await pipeline.run()  // nothing to keep open: returns at once
    }

    @Test func serverErrorsAreReadFieldByField() {
        var body = ByteBuffer()
        for (type, value) in [("S", "ERROR"), ("C", "22012"), ("M", "division by zero")] {
            body.writeString(type)
            body.writeString(value)
            body.writeInteger(UInt8(0))
        }
        body.writeInteger(UInt8(0))
        let error = PipelineServerError(fields: body)
        #expect(error.sqlState == "22012")
        #expect(error.message == "division by zero")
    }
}
