@testable import Database
import NIOCore
import NIOEmbedded
import Testing

/// The pipelined conversation without a server: the pure state machine, then the handler on an
/// `EmbeddedChannel` (the bytes it writes, the answers it reads).
@Suite struct PipelineStateMachineTests {
    static func row(_ text: String) -> BackendMessage { .dataRow(ByteBuffer(string: text)) }

    @Test func answersCompleteTheOldestGroupInOrder() {
        var state = PipelineStateMachine()
        state.sent()
        state.sent()
        #expect(state.receive(.groupProgress(.bindComplete)) == .none)
        #expect(state.receive(Self.row("a")) == .none)
        #expect(state.receive(.groupProgress(.commandComplete)) == .none)
        #expect(state.receive(.readyForQuery) == .finishOldest(.success([ByteBuffer(string: "a")])))
        #expect(state.receive(.dataRow(nil)) == .none)
        #expect(state.receive(.readyForQuery) == .finishOldest(.success([nil])))
        #expect(state.depth == 0)
    }

    @Test func anErrorEndsOnlyItsOwnGroup() {
        var state = PipelineStateMachine()
        state.sent()
        state.sent()
        let error = PipelineServerError(sqlState: "22012", message: "division by zero")
        #expect(state.receive(.errorResponse(error)) == .none)
        #expect(state.receive(.readyForQuery) == .finishOldest(.failure(error)))
        #expect(state.receive(Self.row("7")) == .none)
        #expect(state.receive(.readyForQuery) == .finishOldest(.success([ByteBuffer(string: "7")])))
    }

    @Test(arguments: [BackendMessage.readyForQuery, .dataRow(nil), .groupProgress(.bindComplete),
                      .errorResponse(PipelineServerError(sqlState: "XX000", message: "x"))])
    func anAnswerNobodyWaitsForClosesTheConnection(message: BackendMessage) {
        var state = PipelineStateMachine()
        guard case .close = state.receive(message) else {
            Issue.record("expected close for \(message)")
            return
        }
    }

    @Test func asynchronousMessagesBelongToNoGroup() {
        var state = PipelineStateMachine()
        #expect(state.receive(.asynchronous(.parameterStatus)) == .none)
        state.sent()
        #expect(state.receive(.asynchronous(.noticeResponse)) == .none)
        #expect(state.depth == 1)
    }

    /// A random walk of sends and answers: every group is finished exactly once, in the order sent.
    @Test func everyGroupFinishesOnceInOrder() {
        var state = PipelineStateMachine()
        var generator = SystemRandomNumberGenerator()
        var sent = 0
        var finished: [Int] = []
        var rowsOf: [Int: Int] = [:]
        for _ in 0..<2_000 {
            if state.depth == 0 || Bool.random(using: &generator) {
                state.sent()
                rowsOf[sent] = Int.random(in: 0...3, using: &generator)
                sent += 1
                continue
            }
            let oldest = finished.count
            for index in 0..<(rowsOf[oldest] ?? 0) { #expect(state.receive(Self.row("\(index)")) == .none) }
            guard case .finishOldest(.success(let rows)) = state.receive(.readyForQuery) else {
                Issue.record("group \(oldest) not finished")
                return
            }
            #expect(rows.count == rowsOf[oldest])
            finished.append(oldest)
        }
        #expect(finished == Array(0..<finished.count))
        #expect(state.depth == sent - finished.count)
    }
}

@Suite struct PipelineMessageTests {
    static func message(_ id: UInt8, _ body: (inout ByteBuffer) -> Void = { _ in }) -> ByteBuffer {
        var payload = ByteBuffer()
        body(&payload)
        var buffer = ByteBuffer()
        buffer.writeInteger(id)
        buffer.writeInteger(Int32(4 + payload.readableBytes))
        buffer.writeBuffer(&payload)
        return buffer
    }

    static func dataRow(_ text: String) -> ByteBuffer {
        message(BackendMessage.ID.dataRow.rawValue) { body in
            body.writeInteger(Int16(1))
            body.writeInteger(Int32(text.utf8.count))
            body.writeString(text)
        }
    }

    @Test func frontendMessagesHaveTheProtocolsBytes() {
        var buffer = ByteBuffer()
        FrontendMessage.execute.encode(into: &buffer)
        FrontendMessage.sync.encode(into: &buffer)
        // Execute (unnamed portal, all rows) then Sync, as PostgreSQL's protocol spells them.
        #expect(Array(buffer.readableBytesView) == [0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4])
        var bind = ByteBuffer()
        FrontendMessage.bind(name: "p", [.int64(5), .text("x")]).encode(into: &bind)
        #expect(bind.readInteger(as: UInt8.self) == FrontendMessage.ID.bind.rawValue)
        #expect(bind.readInteger(as: Int32.self) == Int32(bind.readableBytes + 4))
    }

    @Test func backendMessagesDecodeWholeOrWait() throws {
        var buffer = Self.dataRow("hello")
        var partial = buffer.getSlice(at: 0, length: 6) ?? ByteBuffer()
        #expect(try BackendMessage.decode(from: &partial) == nil)
        #expect(try BackendMessage.decode(from: &buffer) == .dataRow(ByteBuffer(string: "hello")))
        #expect(buffer.readableBytes == 0)
        var unknown = Self.message(0x21)
        #expect(throws: PipelineProtocolError.self) { try BackendMessage.decode(from: &unknown) }
    }

    /// The handler on an EmbeddedChannel: it writes Bind/Execute/Sync, and completes each caller
    /// with its own rows or its own error, in order, from answers split across reads.
    @Test func theHandlerAnswersEachExecutionFromTheBytesItReads() throws {
        let channel = EmbeddedChannel()
        let handler = PipelineHandler(allocator: channel.allocator)
        try channel.pipeline.syncOperations.addHandler(handler)
        let statement = PipelinedStatement(name: "page", sql: "SELECT $1::text", parameterTypes: [.int8])
        var results: [Result<[ByteBuffer?], any Error>] = []
        _ = handler.execute(statement, [.int64(1)]) { results.append($0) }
        _ = handler.execute(statement, [.int64(2)]) { results.append($0) }
        channel.embeddedEventLoop.run()
        var written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        var ids: [UInt8] = []
        while let id = written.readInteger(as: UInt8.self), let length = written.readInteger(as: Int32.self) {
            ids.append(id)
            written.moveReaderIndex(forwardBy: Int(length) - 4)
        }
        let group = [FrontendMessage.ID.bind, .execute, .sync].map(\.rawValue)
        #expect(ids == group + group, "both executions leave in one write")

        var answers = Self.message(BackendMessage.ID.bindComplete.rawValue)
        var first = Self.dataRow("one")
        answers.writeBuffer(&first)
        var complete = Self.message(BackendMessage.ID.commandComplete.rawValue) { $0.writeString("SELECT 1\u{0}") }
        answers.writeBuffer(&complete)
        var ready = Self.message(BackendMessage.ID.readyForQuery.rawValue) { $0.writeString("I") }
        answers.writeBuffer(&ready)
        var error = Self.message(BackendMessage.ID.errorResponse.rawValue) { body in
            body.writeString("C57014\u{0}Mcanceling statement due to statement timeout\u{0}\u{0}")
        }
        answers.writeBuffer(&error)
        var ready2 = Self.message(BackendMessage.ID.readyForQuery.rawValue) { $0.writeString("I") }
        answers.writeBuffer(&ready2)
        // Split in the middle of a message: the handler waits for the rest.
        let cut = answers.readableBytes / 2
        let head = try #require(answers.getSlice(at: answers.readerIndex, length: cut))
        answers.moveReaderIndex(forwardBy: cut)
        try channel.writeInbound(head)
        try channel.writeInbound(answers)

        #expect(results.count == 2)
        let rows = try results[0].get()
        #expect(rows == [ByteBuffer(string: "one")])
        #expect(throws: PipelineServerError.self) { try results[1].get() }
        #expect(handler.depth == 0)
        #expect(handler.isOpen, "a server error ends only its group, not the connection")
    }

    @Test func anUnexpectedMessageClosesTheConnectionAndFailsTheWaiters() throws {
        let channel = EmbeddedChannel()
        let handler = PipelineHandler(allocator: channel.allocator)
        try channel.pipeline.syncOperations.addHandler(handler)
        var failed = false
        _ = handler.execute(PipelinedStatement(name: "p", sql: "SELECT 1", parameterTypes: []), []) { result in
            if case .failure = result { failed = true }
        }
        channel.embeddedEventLoop.run()
        try channel.writeInbound(Self.message(0x21))
        #expect(failed)
        #expect(!handler.isOpen)
    }
}
