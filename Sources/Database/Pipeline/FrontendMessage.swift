import NIOCore

/// A message to the server: the part of the extended query protocol a pipeline sends.
enum FrontendMessage {
    /// Prepares `statement` under its name.
    case parse(PipelinedStatement)
    /// Binds the prepared statement `name` to the unnamed portal: parameters in binary (int8) or
    /// text, every result column as text.
    case bind(name: String, [PipelineParameter])
    /// Runs the unnamed portal to completion.
    case execute
    /// Ends a group: the server answers `ReadyForQuery`, and an error skips only to here.
    case sync

    /// The message type byte, named (PostgreSQL's protocol, "Message Formats").
    enum ID: UInt8 {
        case parse = 0x50    // P
        case bind = 0x42     // B
        case execute = 0x45  // E
        case sync = 0x53     // S
    }

    var id: ID {
        switch self {
        case .parse: .parse
        case .bind: .bind
        case .execute: .execute
        case .sync: .sync
        }
    }

    /// Appends the message to `buffer`: its type, its length, its body.
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(id.rawValue)
        let lengthAt = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        switch self {
        case .parse(let statement):
            Self.writeCString(&buffer, statement.name)
            Self.writeCString(&buffer, statement.sql)
            buffer.writeInteger(Int16(statement.parameterTypes.count))
            for type in statement.parameterTypes { buffer.writeInteger(type.oid) }
        case .bind(let name, let parameters):
            Self.writeCString(&buffer, "")  // the unnamed portal
            Self.writeCString(&buffer, name)
            buffer.writeInteger(Int16(parameters.count))
            for parameter in parameters { buffer.writeInteger(parameter.isBinary ? Format.binary : Format.text) }
            buffer.writeInteger(Int16(parameters.count))
            for parameter in parameters {
                switch parameter {
                case .int64(let value):
                    buffer.writeInteger(Int32(MemoryLayout<Int64>.size))
                    buffer.writeInteger(value)
                case .text(let value):
                    let valueLengthAt = buffer.writerIndex
                    buffer.writeInteger(Int32(0))
                    let written = buffer.writeString(value)
                    buffer.setInteger(Int32(written), at: valueLengthAt)
                }
            }
            buffer.writeInteger(Int16(1))
            buffer.writeInteger(Format.text)  // results as text
        case .execute:
            Self.writeCString(&buffer, "")  // the unnamed portal
            buffer.writeInteger(Int32(0))   // all rows
        case .sync:
            break
        }
        buffer.setInteger(Int32(buffer.writerIndex - lengthAt), at: lengthAt)
    }

    /// Format codes of parameters and results.
    private enum Format {
        static let text = Int16(0)
        static let binary = Int16(1)
    }

    private static func writeCString(_ buffer: inout ByteBuffer, _ string: String) {
        buffer.writeString(string)
        buffer.writeInteger(UInt8(0))
    }
}
