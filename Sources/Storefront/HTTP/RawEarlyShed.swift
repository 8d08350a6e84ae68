import Guard
import NIOCore

/// Sheds a browse `GET` from the bytes the socket delivered, before the HTTP/1 decoder parses it.
///
/// Under a 10× surge nine requests in ten are shed, and on the store's one core parsing them (NIO's
/// `HTTPDecoder`, `HTTPHeaders`, the HTTPTypes conversion) and encoding the 503 cost more than the
/// rejection itself (BENCHMARKS.md, overload session 4). This handler sits first in the pipeline
/// and answers a request only when all of these hold, otherwise it passes the bytes on untouched:
/// - the read holds exactly one complete request with no body (the usual case for a `GET` from a
///   keep-alive client), and every byte passed on before ended on a request boundary, so the
///   decoder behind it is between requests; it follows `Content-Length` bodies to keep that knowledge,
///   and gives up for the rest of the connection on anything else (chunked bodies, pipelined or split
///   reads), where `EarlyShedHandler` still sheds after the decoder;
/// - `GET … HTTP/1.1`, no `Connection: close`, no request ahead of it awaiting its response;
/// - the limiter would reject it now, and its path is a browse route.
final class RawEarlyShedHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let shed: EarlyShed
    /// The parsed-request handler of the same connection: knows whether a response is still owed.
    private let partner: EarlyShedHandler
    /// Every byte passed on so far ended on a request boundary (or inside a body we are counting).
    private var inSync = true
    /// Body bytes of the last request passed on that have not arrived yet.
    private var bodyRemaining = 0

    init(shed: EarlyShed, partner: EarlyShedHandler) {
        self.shed = shed
        self.partner = partner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard inSync else { return context.fireChannelRead(data) }
        let buffer = unwrapInboundIn(data)
        if bodyRemaining > 0 {
            if buffer.readableBytes <= bodyRemaining {
                bodyRemaining -= buffer.readableBytes
            } else {
                inSync = false   // the body's end and more in one read: stop tracking this connection
            }
            return context.fireChannelRead(data)
        }
        guard let request = RawRequest(buffer.readableBytesView) else {
            inSync = false
            return context.fireChannelRead(data)
        }
        if request.bodyBytesInRead > request.bodyLength {
            inSync = false   // a second request in the same read (pipelining): stop tracking
        } else {
            bodyRemaining = request.bodyLength - request.bodyBytesInRead
        }
        if request.sheddable, !partner.owesResponse, let route = shed.shouldShed(path: request.path, userAgent: request.userAgent) {
            let start = ContinuousClock.now
            context.writeAndFlush(NIOAny(shed.rawResponse), promise: nil)
            shed.onShed(route, .now - start)
            return
        }
        context.fireChannelRead(data)
    }
}

/// What `RawEarlyShedHandler` needs of one request read: the request line and a few headers.
struct RawRequest {
    var path: Substring
    var userAgent: String?
    /// `Content-Length` (0 without one).
    var bodyLength: Int
    /// Bytes after the head in this read.
    var bodyBytesInRead: Int
    /// `GET`, HTTP/1.1, no body, not `Connection: close`, nothing after the head.
    var sheddable: Bool

    /// Parses the head at the start of `bytes`; `nil` if the head is incomplete, or the framing is
    /// anything but a plain `Content-Length` (chunked, repeated or malformed headers).
    init?<Bytes: RandomAccessCollection>(_ bytes: Bytes) where Bytes.Element == UInt8, Bytes.Index == Int {
        guard let headEnd = Self.endOfHead(bytes) else { return nil }
        var lines = Self.lines(bytes, upTo: headEnd)
        guard let requestLine = lines.next() else { return nil }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let isGet = parts[0].elementsEqual("GET".utf8)
        let isHTTP11 = parts[2].elementsEqual("HTTP/1.1".utf8)
        var contentLength: Int?
        var close = false
        var agent: String?
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = line[line.startIndex..<colon]
            var value = line[(colon + 1)...]
            while let first = value.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { value = value.dropFirst() }
            while let last = value.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { value = value.dropLast() }
            if Self.equalsIgnoringCase(name, "transfer-encoding") { return nil }
            if Self.equalsIgnoringCase(name, "content-length") {
                guard contentLength == nil, let length = Int(String(decoding: value, as: UTF8.self)), length >= 0 else { return nil }
                contentLength = length
            } else if Self.equalsIgnoringCase(name, "connection") {
                close = Self.equalsIgnoringCase(value, "close")
            } else if Self.equalsIgnoringCase(name, "user-agent") {
                agent = String(decoding: value, as: UTF8.self)
            }
        }
        bodyLength = contentLength ?? 0
        bodyBytesInRead = bytes.endIndex - headEnd
        path = Substring(decoding: parts[1], as: UTF8.self)
        userAgent = agent
        sheddable = isGet && isHTTP11 && bodyLength == 0 && bodyBytesInRead == 0 && !close
    }

    /// The index just past the first `\r\n\r\n`.
    static func endOfHead<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> Int? where Bytes.Element == UInt8, Bytes.Index == Int {
        var index = bytes.startIndex
        while index + 3 < bytes.endIndex {
            if bytes[index + 3] != UInt8(ascii: "\n") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "\r"), bytes[index + 1] == UInt8(ascii: "\n"), bytes[index + 2] == UInt8(ascii: "\r") {
                return index + 4
            }
            index += 1
        }
        return nil
    }

    /// The head's lines without their `\r\n` (the blank last line excluded).
    static func lines<Bytes: RandomAccessCollection>(_ bytes: Bytes, upTo headEnd: Int) -> IndexingIterator<[Bytes.SubSequence]>
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let contentEnd = headEnd - 4
        var result: [Bytes.SubSequence] = []
        var start = bytes.startIndex
        var index = start
        while index + 1 < contentEnd {
            if bytes[index] == UInt8(ascii: "\r") && bytes[index + 1] == UInt8(ascii: "\n") {
                result.append(bytes[start..<index])
                start = index + 2
                index = start
            } else {
                index += 1
            }
        }
        result.append(bytes[start..<max(start, contentEnd)])
        return result.makeIterator()
    }

    static func equalsIgnoringCase<Name: Collection>(_ bytes: Name, _ lowercase: StaticString) -> Bool where Name.Element == UInt8 {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for (byte, wanted) in zip(bytes, expected) {
            let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            if lowered != wanted { return false }
        }
        return true
    }
}
