import Guard
import NIOCore

/// Answers what it can of a request from the bytes the socket delivered, before the HTTP/1 decoder
/// parses it: a browse `GET` the limiter would shed (503, or the cached page), and a product page
/// (`ProductPages`, loaded on this event loop).
///
/// Under a 10× surge nine requests in ten are shed, and on the store's one core parsing them (NIO's
/// `HTTPDecoder`, `HTTPHeaders`, the HTTPTypes conversion) and encoding the 503 cost more than the
/// rejection itself (BENCHMARKS.md, overload session 4); a product page through Hummingbird cost
/// ~60% more than it does here (store vs pgbench, session 6). This handler sits first in the pipeline
/// and answers a request only when all of these hold, otherwise it passes the bytes on untouched:
/// - the read holds exactly one complete request with no body (the usual case for a `GET` from a
///   keep-alive client), and every byte passed on before ended on a request boundary, so the
///   decoder behind it is between requests; it follows `Content-Length` bodies to keep that knowledge,
///   and gives up for the rest of the connection on anything else (chunked bodies, pipelined or split
///   reads), where `EarlyShedHandler` still sheds after the decoder;
/// - `GET … HTTP/1.1`, no `Connection: close`, no request ahead of it awaiting its response;
/// - the limiter would reject it now, and its path is a browse route; or its path is a product page.
///
/// Such a request whose page the catalog cache holds (a product page) is answered from the cache's
/// bytes instead of the 503, with the head the router would send (`StoreAPI.productPageResponse`);
/// one the cache could answer only through the router (a listing) is passed on.
///
/// While a product page is being loaded, nothing read from the connection goes on (bytes read wait
/// here, and once some have, reading is held back), so answers keep their order.
final class RawEarlyShedHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let shed: EarlyShed?
    private let pages: ProductPages?
    /// The parsed-request handler of the same connection: knows whether a response is still owed.
    private let partner: EarlyShedHandler
    /// Every byte passed on so far ended on a request boundary (or inside a body we are counting).
    private var inSync = true
    /// Body bytes of the last request passed on that have not arrived yet.
    private var bodyRemaining = 0
    /// A product page is being loaded for this connection.
    private var loading = false
    /// Reads that arrived while loading, and whether a `read` was held back.
    private var held: [NIOAny] = []
    private var readHeld = false
    private var executor: EventLoopTaskExecutor?

    init(shed: EarlyShed?, pages: ProductPages?, partner: EarlyShedHandler) {
        self.shed = shed
        self.pages = pages
        self.partner = partner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if loading { return held.append(data) }
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
        guard request.sheddable, !partner.owesResponse else { return context.fireChannelRead(data) }
        let bytes = buffer.readableBytesView
        // Below the limit (the usual case) nothing is decoded for shedding: when bots are not shed, nothing is.
        if let shed, shed.controller.wouldShed(.bot) {
            let start = ContinuousClock.now
            let path = request.path(in: bytes)
            switch shed.decide(path: path, userAgent: request.userAgent(in: bytes), productPages: pages != nil) {
            case .pass:
                break
            case .fill(let route, _):
                // A cache-fill slot was taken for this product page: the page loads with it and gives it back.
                guard let pages, let id = ProductPages.productID(bytes[request.pathRange]) else {
                    shed.controller.releaseCacheFill()
                    shed.onAnswer(route, 503, .now - start)
                    return context.writeAndFlush(NIOAny(shed.rawResponse), promise: nil)
                }
                return load(id: id, pages: pages, request: request, bytes: bytes, context: context, heldFill: true)
            case .shed(let route):
                // Recorded before the write, as the router records before its response is written
                // (and so a client that has its answer sees it counted).
                shed.onAnswer(route, 503, .now - start)
                return context.writeAndFlush(NIOAny(shed.rawResponse), promise: nil)
            case .cached(let route, let priority):
                let conditions = CachedAnswers.Conditions(ifNoneMatch: request.ifNoneMatch(in: bytes), anonymous: request.anonymous)
                if let answer = shed.cache.response(route, path, conditions) {
                    shed.controller.recordCacheAnswer(priority)
                    shed.onAnswer(route, answer.status, .now - start)
                    return context.writeAndFlush(NIOAny(answer.bytes), promise: nil)
                }
            }
        }
        guard let pages, let id = ProductPages.productID(bytes[request.pathRange]) else { return context.fireChannelRead(data) }
        load(id: id, pages: pages, request: request, bytes: bytes, context: context)
    }

    /// Loads product `id`'s page in a task on this event loop and writes the answer there.
    private func load(id: Int64, pages: ProductPages, request: RawRequest, bytes: ByteBufferView, context: ChannelHandlerContext,
                      heldFill: Bool = false) {
        loading = true
        let conditions = CachedAnswers.Conditions(ifNoneMatch: request.ifNoneMatch(in: bytes), anonymous: request.anonymous)
        let priority: Priority = Priority.isBot(userAgent: request.userAgent(in: bytes)) ? .bot : .browse
        let requestID = request.requestID(in: bytes)
        let loop = context.eventLoop
        let executor = self.executor ?? EventLoopTaskExecutor(loop)
        self.executor = executor
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        Task(executorPreference: executor) {
            let answer = await pages.answer(id: id, conditions: conditions, priority: priority, requestID: requestID, heldFill: heldFill)
            if loop.inEventLoop {
                bound.value.0.loaded(answer, context: bound.value.1)
            } else {
                loop.execute { bound.value.0.loaded(answer, context: bound.value.1) }
            }
        }
    }

    private func loaded(_ answer: CachedAnswers.Answer, context: ChannelHandlerContext) {
        loading = false
        context.writeAndFlush(NIOAny(answer.bytes), promise: nil)
        let waiting = held
        held = []
        for data in waiting { channelRead(context: context, data: data) }
        if !waiting.isEmpty { context.fireChannelReadComplete() }
        if readHeld && !loading {
            readHeld = false
            context.read()
        }
    }

    /// Holds reading back only once the client has sent more while a page loads (a pipelining
    /// client): a keep-alive client waits for its answer, and holding its `read` would cost two
    /// `epoll_ctl` calls per page (read interest dropped, then added back).
    func read(context: ChannelHandlerContext) {
        if loading && !held.isEmpty {
            readHeld = true
        } else {
            context.read()
        }
    }
}

/// What `RawEarlyShedHandler` needs of one request read: the request line and a few headers, as
/// positions in the read (decoded only when a request may be shed; parsing allocates nothing).
struct RawRequest {
    /// Where the request target is, and the `User-Agent` value if there is one.
    var pathRange: Range<Int>
    var userAgentRange: Range<Int>?
    var ifNoneMatchRange: Range<Int>?
    var requestIDRange: Range<Int>?
    /// No `Authorization` and no `X-Cart-Token` header.
    var anonymous: Bool
    /// `Content-Length` (0 without one).
    var bodyLength: Int
    /// Bytes after the head in this read.
    var bodyBytesInRead: Int
    /// `GET`, HTTP/1.1, no body, not `Connection: close`, nothing after the head.
    var sheddable: Bool

    func path<Bytes: RandomAccessCollection>(in bytes: Bytes) -> Substring where Bytes.Element == UInt8, Bytes.Index == Int {
        Substring(decoding: bytes[pathRange], as: UTF8.self)
    }

    func ifNoneMatch<Bytes: RandomAccessCollection>(in bytes: Bytes) -> String? where Bytes.Element == UInt8, Bytes.Index == Int {
        ifNoneMatchRange.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    func requestID<Bytes: RandomAccessCollection>(in bytes: Bytes) -> String? where Bytes.Element == UInt8, Bytes.Index == Int {
        requestIDRange.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    func userAgent<Bytes: RandomAccessCollection>(in bytes: Bytes) -> String? where Bytes.Element == UInt8, Bytes.Index == Int {
        userAgentRange.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// Parses the head at the start of `bytes`; `nil` if the head is incomplete, or the framing is
    /// anything but a plain `Content-Length` (chunked, repeated or malformed headers).
    init?<Bytes: RandomAccessCollection>(_ bytes: Bytes) where Bytes.Element == UInt8, Bytes.Index == Int {
        guard let headEnd = Self.endOfHead(bytes) else { return nil }
        let contentEnd = headEnd - 4   // the head's lines end here (before the blank line)
        // The request line: METHOD SP TARGET SP VERSION.
        let lineEnd = Self.endOfLine(bytes, from: bytes.startIndex, limit: contentEnd)
        guard let firstSpace = bytes[bytes.startIndex..<lineEnd].firstIndex(of: UInt8(ascii: " ")),
              let secondSpace = bytes[(firstSpace + 1)..<lineEnd].firstIndex(of: UInt8(ascii: " ")),
              !bytes[(secondSpace + 1)..<lineEnd].contains(UInt8(ascii: " ")) else { return nil }
        let isGet = bytes[bytes.startIndex..<firstSpace].elementsEqual("GET".utf8)
        let isHTTP11 = bytes[(secondSpace + 1)..<lineEnd].elementsEqual("HTTP/1.1".utf8)
        var contentLength: Int?
        var close = false
        var agent: Range<Int>?
        var ifNoneMatch: Range<Int>?
        var requestID: Range<Int>?
        var anonymous = true
        var start = lineEnd + 2
        while start < contentEnd {
            let end = Self.endOfLine(bytes, from: start, limit: contentEnd)
            guard let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = bytes[start..<colon]
            var valueStart = colon + 1
            var valueEnd = end
            while valueStart < valueEnd, bytes[valueStart] == UInt8(ascii: " ") || bytes[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
            while valueEnd > valueStart, bytes[valueEnd - 1] == UInt8(ascii: " ") || bytes[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
            let value = bytes[valueStart..<valueEnd]
            if Self.equalsIgnoringCase(name, "transfer-encoding") { return nil }
            if Self.equalsIgnoringCase(name, "content-length") {
                guard contentLength == nil, let length = Self.decimal(value) else { return nil }
                contentLength = length
            } else if Self.equalsIgnoringCase(name, "connection") {
                close = Self.equalsIgnoringCase(value, "close")
            } else if Self.equalsIgnoringCase(name, "user-agent") {
                agent = valueStart..<valueEnd
            } else if Self.equalsIgnoringCase(name, "if-none-match") {
                guard ifNoneMatch == nil else { return nil }   // repeated: leave it to the decoder
                ifNoneMatch = valueStart..<valueEnd
            } else if Self.equalsIgnoringCase(name, "x-request-id") {
                requestID = valueStart..<valueEnd
            } else if Self.equalsIgnoringCase(name, "authorization") || Self.equalsIgnoringCase(name, "x-cart-token") {
                anonymous = false
            }
            start = end + 2
        }
        bodyLength = contentLength ?? 0
        bodyBytesInRead = bytes.endIndex - headEnd
        pathRange = (firstSpace + 1)..<secondSpace
        userAgentRange = agent
        ifNoneMatchRange = ifNoneMatch
        requestIDRange = requestID
        self.anonymous = anonymous
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

    /// Where the line starting at `start` ends (its `\r\n`), or `limit`.
    static func endOfLine<Bytes: RandomAccessCollection>(_ bytes: Bytes, from start: Int, limit: Int) -> Int
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var index = start
        while index + 1 < limit {
            if bytes[index] == UInt8(ascii: "\r") && bytes[index + 1] == UInt8(ascii: "\n") { return index }
            index += 1
        }
        return limit
    }

    /// Digits only (no sign, no spaces), at most 18 of them; `nil` otherwise.
    static func decimal<Digits: Collection>(_ bytes: Digits) -> Int? where Digits.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
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
