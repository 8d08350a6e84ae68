import NIOCore

/// What the load generator needs from one HTTP/1.1 response.
public struct ParsedResponse: Sendable, Equatable {
    public var status: Int
    /// The response carried a `Retry-After` header (with 429/503 this marks load shedding).
    public var hasRetryAfter: Bool
    /// The server will close the connection after this response.
    public var closesConnection: Bool
    /// Body bytes, kept only when the request asked for them (checks or extraction need them).
    public var body: [UInt8]
    public var bodyLength: Int
}

/// A malformed response: the connection cannot be reused.
public struct ResponseParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// A lean incremental HTTP/1.1 response parser: status line, the four headers that matter, and the
/// body framed by `Content-Length`, chunked encoding, or the connection closing. No header storage.
public struct ResponseParser: Sendable {
    enum State: Sendable, Equatable {
        case statusLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    static let maxLineBytes = 64 * 1024
    static let maxKeptBodyBytes = 4 * 1024 * 1024

    var state: State = .statusLine
    var partialLine: [UInt8] = []
    var response = ParsedResponse(status: 0, hasRetryAfter: false, closesConnection: false, body: [], bodyLength: 0)
    var contentLength: Int?
    var chunked = false
    var http10 = false
    /// Set per request: keep the body bytes.
    public var keepBody = false
    /// Set per request: the response to a HEAD request has no body whatever its headers say.
    public var requestWasHead = false

    public init() {}

    /// Consumes bytes from `buffer` and returns a response once one is complete (leaving the rest unread).
    public mutating func parse(_ buffer: inout ByteBuffer) throws(ResponseParseError) -> ParsedResponse? {
        while buffer.readableBytes > 0 {
            switch state {
            case .statusLine, .headers, .chunkSize, .chunkDataEnd, .trailers:
                if partialLine.isEmpty {
                    // Fast path: the whole line is in the buffer; parse it in place, without copying.
                    var consumed = 0
                    let outcome: Result<ParsedResponse?, ResponseParseError>? = buffer.withUnsafeReadableBytes { bytes in
                        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                        consumed = newline + 1
                        let end = newline > 0 && bytes[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
                        return handleLine(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
                    }
                    if let outcome {
                        buffer.moveReaderIndex(forwardBy: consumed)
                        if let done = try outcome.get() { return done }
                        continue
                    }
                }
                guard let line = try readLine(&buffer) else { return nil }
                if let done = try handleLine(line).get() { return done }
            case .fixedBody(let remaining):
                let take = min(remaining, buffer.readableBytes)
                consumeBody(&buffer, take)
                if remaining - take == 0 { return finish() }
                state = .fixedBody(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, buffer.readableBytes)
                consumeBody(&buffer, take)
                state = remaining - take == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .untilClose:
                consumeBody(&buffer, buffer.readableBytes)
            }
        }
        return nil
    }

    /// The connection closed: completes a response whose body runs until close, else nil.
    public mutating func connectionClosed() -> ParsedResponse? {
        guard state == .untilClose else { return nil }
        response.closesConnection = true
        return finish()
    }

    /// True while no byte of the current response has been read.
    public var isIdle: Bool { state == .statusLine && partialLine.isEmpty }

    private mutating func consumeBody(_ buffer: inout ByteBuffer, _ count: Int) {
        if keepBody, response.body.count < Self.maxKeptBodyBytes, let bytes = buffer.readBytes(length: count) {
            response.body.append(contentsOf: bytes)
        } else {
            buffer.moveReaderIndex(forwardBy: count)
        }
        response.bodyLength += count
    }

    /// The next line without its CR LF, or nil when the buffer ends first (the start is kept).
    private mutating func readLine(_ buffer: inout ByteBuffer) throws(ResponseParseError) -> [UInt8]? {
        let newline = buffer.withUnsafeReadableBytes { $0.firstIndex(of: UInt8(ascii: "\n")) }
        guard let newline else {
            partialLine.append(contentsOf: buffer.readableBytesView)
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            if partialLine.count > Self.maxLineBytes { throw ResponseParseError(description: "header line longer than 64 KiB") }
            return nil
        }
        var line = partialLine
        partialLine.removeAll(keepingCapacity: true)
        line.append(contentsOf: buffer.readableBytesView.prefix(newline))
        buffer.moveReaderIndex(forwardBy: newline + 1)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    private mutating func handleLine<Line: RandomAccessCollection>(_ line: Line) -> Result<ParsedResponse?, ResponseParseError>
    where Line.Element == UInt8, Line.Index == Int {
        do {
            return .success(try handleLineThrowing(line))
        } catch {
            return .failure(error)
        }
    }

    private mutating func handleLineThrowing<Line: RandomAccessCollection>(_ line: Line) throws(ResponseParseError) -> ParsedResponse?
    where Line.Element == UInt8, Line.Index == Int {
        let start = line.startIndex
        switch state {
        case .statusLine:
            // "HTTP/1.1 200 OK"
            guard line.count >= 12, line.starts(with: Self.httpPrefix),
                  let status = Self.decimal(line[(start + 9)..<(start + 12)]) else {
                throw ResponseParseError(description: "malformed status line")
            }
            response = ParsedResponse(status: status, hasRetryAfter: false, closesConnection: false, body: [], bodyLength: 0)
            http10 = line[start + 7] == UInt8(ascii: "0")
            response.closesConnection = http10
            contentLength = nil
            chunked = false
            state = .headers
        case .headers:
            if line.isEmpty { return endOfHeaders() }
            try header(line)
        case .chunkSize:
            let digits = line.prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") }
            guard let size = Self.hexadecimal(digits) else { throw ResponseParseError(description: "malformed chunk size") }
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        case .chunkDataEnd:
            guard line.isEmpty else { throw ResponseParseError(description: "chunk not followed by CRLF") }
            state = .chunkSize
        case .trailers:
            if line.isEmpty { return finish() }
        case .fixedBody, .chunkData, .untilClose:
            break
        }
        return nil
    }

    private mutating func header<Line: RandomAccessCollection>(_ line: Line) throws(ResponseParseError)
    where Line.Element == UInt8, Line.Index == Int {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw ResponseParseError(description: "header line without a colon")
        }
        let name = line[line.startIndex..<colon]
        var valueStart = colon + 1
        while valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") || line[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
        var valueEnd = line.endIndex
        while valueEnd > valueStart, line[valueEnd - 1] == UInt8(ascii: " ") || line[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        if Self.equalsIgnoringCase(name, "content-length") {
            guard let length = Self.decimal(value) else { throw ResponseParseError(description: "malformed Content-Length") }
            contentLength = length
        } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
            chunked = Self.containsIgnoringCase(value, "chunked")
        } else if Self.equalsIgnoringCase(name, "connection") {
            if Self.containsIgnoringCase(value, "close") { response.closesConnection = true }
            if Self.containsIgnoringCase(value, "keep-alive") && http10 { response.closesConnection = false }
        } else if Self.equalsIgnoringCase(name, "retry-after") {
            response.hasRetryAfter = true
        }
    }

    private mutating func endOfHeaders() -> ParsedResponse? {
        let status = response.status
        if status >= 100 && status < 200 && status != 101 {
            state = .statusLine  // an interim response: the real one follows
            return nil
        }
        if requestWasHead || status == 204 || status == 304 || (status >= 100 && status < 200) { return finish() }
        if chunked {
            state = .chunkSize
        } else if let contentLength {
            if contentLength == 0 { return finish() }
            state = .fixedBody(remaining: contentLength)
        } else {
            response.closesConnection = true
            state = .untilClose
        }
        return nil
    }

    private mutating func finish() -> ParsedResponse {
        state = .statusLine
        let done = response
        response.body = []
        return done
    }

    static func decimal(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func hexadecimal(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
        var value = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value * 16 + Int(digit)
        }
        return value
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    static let httpPrefix: [UInt8] = Array("HTTP/1.".utf8)

    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { lower($0) == $1 }
        }
    }

    static func containsIgnoringCase(_ bytes: some Collection<UInt8>, _ lowercase: String) -> Bool {
        let needle = Array(lowercase.utf8)
        let haystack = bytes.map(lower)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
