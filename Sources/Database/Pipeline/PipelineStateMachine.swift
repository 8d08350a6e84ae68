import NIOCore

/// The pipelined conversation as a value: groups sent, answers read, in order. Messages in, actions
/// out; `PipelineHandler` sends what it is told and completes its waiters in the same FIFO order.
///
/// Each group (a `Parse` + `Sync`, or a `Bind` + `Execute` + `Sync`) is answered by the server with
/// its progress messages, `DataRow`s, perhaps an `ErrorResponse`, and one `ReadyForQuery`, in the
/// order the groups were sent; an error ends only its own group.
struct PipelineStateMachine {
    /// What the handler must do after a message.
    enum Action: Equatable {
        /// Nothing (a row kept, a progress message).
        case none
        /// The oldest group is answered: complete its waiter.
        case finishOldest(Result<[ByteBuffer?], PipelineServerError>)
        /// The server said something that cannot belong to this conversation: close the connection
        /// and fail every waiter.
        case close(PipelineProtocolError)
    }

    private struct Group {
        var rows: [ByteBuffer?] = []
        var error: PipelineServerError?
    }

    private var groups = CircularBuffer<Group>(initialCapacity: 64)

    /// Groups sent and not yet answered.
    var depth: Int { groups.count }

    /// A group was sent.
    mutating func sent() { groups.append(Group()) }

    /// Every group is abandoned (the connection is gone); returns how many there were.
    mutating func abandonAll() -> Int {
        let count = groups.count
        groups.removeAll()
        return count
    }

    /// One message from the server.
    mutating func receive(_ message: BackendMessage) -> Action {
        switch message {
        case .dataRow(let value):
            guard !groups.isEmpty else { return .close(Self.unexpected("a row")) }
            groups[groups.startIndex].rows.append(value)
            return .none
        case .errorResponse(let error):
            guard !groups.isEmpty else { return .close(Self.unexpected("an error (\(error))")) }
            groups[groups.startIndex].error = error
            return .none
        case .readyForQuery:
            guard let group = groups.popFirst() else { return .close(Self.unexpected("ReadyForQuery")) }
            if let error = group.error { return .finishOldest(.failure(error)) }
            return .finishOldest(.success(group.rows))
        case .groupProgress(let id):
            return groups.isEmpty ? .close(Self.unexpected("\(id)")) : .none
        case .asynchronous:
            return .none
        }
    }

    private static func unexpected(_ what: String) -> PipelineProtocolError {
        PipelineProtocolError(message: "unexpected \(what) from the server: no statement is waiting")
    }
}
