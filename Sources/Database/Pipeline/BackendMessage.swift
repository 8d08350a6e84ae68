import NIOCore

/// A message from the server, as much of it as a pipelined conversation needs.
enum BackendMessage: Equatable {
    /// A row: its first column (text), `nil` for SQL NULL or a row with no columns.
    case dataRow(ByteBuffer?)
    /// The group's statement failed; the server skips to the group's `Sync`.
    case errorResponse(PipelineServerError)
    /// The end of a `Sync` group.
    case readyForQuery
    /// A step of a group that carries nothing to keep (`ParseComplete`, `BindComplete`,
    /// `CommandComplete`, `NoData`, `PortalSuspended`, `EmptyQueryResponse`,
    /// `ParameterDescription`, `RowDescription`, `CloseComplete`).
    case groupProgress(ID)
    /// Not part of any answer (`NoticeResponse`, `ParameterStatus`, `NotificationResponse`, `BackendKeyData`).
    case asynchronous(ID)

    /// The message type byte, named (PostgreSQL's protocol, "Message Formats").
    enum ID: UInt8 {
        case dataRow = 0x44                 // D
        case errorResponse = 0x45           // E
        case readyForQuery = 0x5A           // Z
        case parseComplete = 0x31           // 1
        case bindComplete = 0x32            // 2
        case closeComplete = 0x33           // 3
        case commandComplete = 0x43         // C
        case emptyQueryResponse = 0x49      // I
        case noData = 0x6E                  // n
        case portalSuspended = 0x73         // s
        case parameterDescription = 0x74    // t
        case rowDescription = 0x54          // T
        case noticeResponse = 0x4E          // N
        case parameterStatus = 0x53         // S
        case notificationResponse = 0x41    // A
        case backendKeyData = 0x4B          // K
    }

    /// Decodes the next whole message from `buffer`, consuming it; `nil` until one has arrived.
    /// Throws for a message that cannot be part of a pipelined conversation.
    static func decode(from buffer: inout ByteBuffer) throws(PipelineProtocolError) -> BackendMessage? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: Int32.self) else { return nil }
        guard length >= 4 else { throw PipelineProtocolError(message: "a message of length \(length) from the server") }
        guard buffer.readableBytes >= 1 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        guard var body = buffer.readSlice(length: Int(length) - 4) else { return nil }
        guard let id = ID(rawValue: type) else {
            throw PipelineProtocolError(message: "unexpected message '\(Character(UnicodeScalar(type)))' from the server")
        }
        switch id {
        case .dataRow:
            guard let columns = body.readInteger(as: Int16.self) else { throw .malformed(id) }
            guard columns > 0 else { return .dataRow(nil) }
            guard let length = body.readInteger(as: Int32.self) else { throw .malformed(id) }
            guard length >= 0 else { return .dataRow(nil) }
            guard let value = body.readSlice(length: Int(length)) else { throw .malformed(id) }
            return .dataRow(value)
        case .errorResponse:
            return .errorResponse(PipelineServerError(fields: body))
        case .readyForQuery:
            return .readyForQuery
        case .parseComplete, .bindComplete, .closeComplete, .commandComplete, .emptyQueryResponse, .noData,
             .portalSuspended, .parameterDescription, .rowDescription:
            return .groupProgress(id)
        case .noticeResponse, .parameterStatus, .notificationResponse, .backendKeyData:
            return .asynchronous(id)
        }
    }
}

extension PipelineProtocolError {
    static func malformed(_ id: BackendMessage.ID) -> PipelineProtocolError {
        PipelineProtocolError(message: "a malformed \(id) message from the server")
    }
}
