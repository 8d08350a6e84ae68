import Foundation
import Guard
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Testing
@testable import Storefront

/// The raw early shed in front of a real HTTP/1 server pipeline (the one Hummingbird builds), on an
/// `EmbeddedChannel`: bytes in, bytes or parsed requests out.
@Suite struct RawEarlyShedTests {
    /// Counts the request heads the HTTP/1 decoder produced.
    final class DecodedHeads: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        var count = 0
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head = unwrapInboundIn(data) { count += 1 }
            context.fireChannelRead(data)
        }
    }

    func channel(_ shed: EarlyShedTests.Shed, decoded: DecodedHeads = DecodedHeads()) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        try channel.pipeline.syncOperations.addHandler(decoded)
        try channel.pipeline.syncOperations.addHandler(shed.shed.handler(raw: true))
        return channel
    }

    static func get(_ path: String, extra: String = "") -> ByteBuffer {
        ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test-browser\r\n\(extra)\r\n")
    }

    /// Reads what the server wrote, whichever handler wrote it.
    static func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
        }
        return text
    }

    @Test func aWholeBrowseGETIsAnsweredFromItsBytesBeforeTheDecoder() async throws {
        let shed = try await EarlyShedTests.Shed(full: true)
        let decoded = DecodedHeads()
        let channel = try channel(shed, decoded: decoded)
        try channel.writeInbound(Self.get("/v1/products/42?fields=all"))
        #expect(decoded.count == 0, "answered before the decoder")
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == nil)
        let answer = try Self.written(channel)
        #expect(answer == String(buffer: shed.shed.rawResponse))
        #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(answer.contains("Retry-After: 1\r\n"))
        let parts = answer.components(separatedBy: "\r\n\r\n")
        let problem = try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any]
        #expect(problem?["code"] as? String == "overloaded")
        #expect(answer.contains("Content-Length: \(parts[1].utf8.count)\r\n"))
        #expect(shed.routes.all == ["/v1/products/{id}"])
    }

    @Test func whatTheLimiterWouldAdmitGoesThroughTheDecoder() async throws {
        let shed = try await EarlyShedTests.Shed(full: false)
        let channel = try channel(shed)
        try channel.writeInbound(Self.get("/v1/products?category=3"))
        guard case .head(let head) = try channel.readInbound(as: HTTPRequestPart.self) else { Issue.record("not parsed"); return }
        #expect(head.path == "/v1/products?category=3")
        #expect(try Self.written(channel).isEmpty)
    }

    @Test func aBodySplitAcrossReadsKeepsTheConnectionInStep() async throws {
        let shed = try await EarlyShedTests.Shed(full: true)
        let decoded = DecodedHeads()
        let channel = try channel(shed, decoded: decoded)
        // A cart request whose body arrives in two reads: passed on whole, and counted.
        try channel.writeInbound(ByteBuffer(string: "POST /v1/carts HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n{\"curr"))
        try channel.writeInbound(ByteBuffer(string: "ency\"}"))
        guard case .head(let head) = try channel.readInbound(as: HTTPRequestPart.self) else { Issue.record("not parsed"); return }
        #expect(head.method == .post)
        while try channel.readInbound(as: HTTPRequestPart.self) != nil {}
        // Its response is still owed: a browse GET is not answered out of order, it goes on to the router.
        try channel.writeInbound(Self.get("/v1/products/1"))
        #expect(try Self.written(channel).isEmpty)
        #expect(decoded.count == 2)
        #expect(shed.routes.all.isEmpty)
        for _ in 0..<2 {   // both answers end
            try channel.writeOutbound(HTTPResponsePart.head(.init(status: .ok, headerFields: [.contentLength: "0"])))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
        _ = try Self.written(channel)
        // In step and owing nothing: the next browse GET is answered from its bytes.
        try channel.writeInbound(Self.get("/v1/products/2"))
        #expect(try Self.written(channel) == String(buffer: shed.shed.rawResponse))
        #expect(decoded.count == 2, "answered before the decoder")
        #expect(shed.routes.all == ["/v1/products/{id}"])
    }

    @Test func pipelinedAndUnusualRequestsAreLeftToTheDecoder() async throws {
        let shed = try await EarlyShedTests.Shed(full: true)
        for bytes in [
            Self.get("/v1/products/1", extra: "Connection: close\r\n"),
            ByteBuffer(string: "GET /v1/products/1 HTTP/1.0\r\nUser-Agent: x\r\n\r\n"),
            ByteBuffer(string: "GET /v1/products/1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            ByteBuffer(string: "GET /v1/products/1 HTTP/1.1\r\nUser-Agent: x\r\n"),   // the head's end comes later
        ] {
            let decoded = DecodedHeads()
            let channel = try channel(shed, decoded: decoded)
            try channel.writeInbound(bytes)
            try channel.writeInbound(ByteBuffer(string: "\r\n"))
            #expect(decoded.count == 1, "went through the decoder: \(String(buffer: bytes))")
        }
        // Two requests in one read: the decoder gets both (each then shed after it, in order), and the
        // connection is no longer tracked, so a later whole request also goes through the decoder.
        let decoded = DecodedHeads()
        let channel = try channel(shed, decoded: decoded)
        var two = Self.get("/v1/products/1")
        var second = Self.get("/v1/products/2")
        two.writeBuffer(&second)
        try channel.writeInbound(two)
        #expect(decoded.count == 2)
        #expect(try Self.written(channel).components(separatedBy: "HTTP/1.1 503").count - 1 == 2)
        try channel.writeInbound(Self.get("/v1/products/3"))
        #expect(decoded.count == 3)
    }

    @Test func requestHeadsAreParsedStrictly() {
        let head = Array("GET /a?b HTTP/1.1\r\nuser-agent:  Bot 1 \r\nCONTENT-LENGTH: 0\r\n\r\n".utf8)
        let parsed = RawRequest(head)
        #expect(parsed?.path(in: head) == "/a?b")
        #expect(parsed?.userAgent(in: head) == "Bot 1")
        #expect(parsed?.sheddable == true)
        #expect(RawRequest(Array("GET /a HTTP/1.1\r\nHost: x\r\n".utf8)) == nil, "incomplete head")
        #expect(RawRequest(Array("GET /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx".utf8)) == nil, "repeated length")
        #expect(RawRequest(Array("GET /a HTTP/1.1\r\nno colon\r\n\r\n".utf8)) == nil)
        #expect(RawRequest(Array("GET /a HTTP/1.1\r\nContent-Length: +1\r\n\r\nx".utf8)) == nil, "a length is digits only")
        #expect(RawRequest(Array("GET  /a HTTP/1.1\r\n\r\n".utf8)) == nil, "three parts, one space apart")
        #expect(RawRequest(Array("GET /a HTTP/1.1\r\n\r\n".utf8))?.userAgentRange == nil)
        #expect(RawRequest(Array("GET /a HTTP/1.1\r\n\r\n".utf8))?.sheddable == true)
        #expect(RawRequest(Array("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nab".utf8))?.bodyBytesInRead == 2)
    }
}
