import LoadTest
import NIOCore
import Testing

@Suite struct ResponseParserTests {
    /// Feeds `text` in pieces of `chunk` bytes and collects complete responses.
    static func parse(_ text: String, chunk: Int, keepBody: Bool = true) throws -> [ParsedResponse] {
        var parser = ResponseParser()
        parser.keepBody = keepBody
        var out: [ParsedResponse] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            var buffer = ByteBuffer(bytes: bytes[start..<min(start + chunk, bytes.count)])
            start += chunk
            while buffer.readableBytes > 0, let response = try parser.parse(&buffer) { out.append(response) }
        }
        if let last = parser.connectionClosed() { out.append(last) }
        return out
    }

    static let stream = "HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 201 Created\r\ncontent-length: 7\r\nX-Other: y\r\n\r\n{\"a\":1}"
        + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"b\"\r\n3\r\n:2}\r\n0\r\nTrailer: z\r\n\r\n"
        + "HTTP/1.1 503 Busy\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n"
        + "HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func parsesFramingWhateverTheChunkBoundaries(chunk: Int) throws {
        let responses = try Self.parse(Self.stream, chunk: chunk)
        #expect(responses.map(\.status) == [201, 200, 503, 204, 200])
        #expect(String(decoding: responses[0].body, as: UTF8.self) == "{\"a\":1}")
        #expect(String(decoding: responses[1].body, as: UTF8.self) == "{\"b\":2}")
        #expect(responses[2].hasRetryAfter)
        #expect(!responses[1].hasRetryAfter)
        #expect(responses[3].bodyLength == 0)
        #expect(String(decoding: responses[4].body, as: UTF8.self) == "until the end")
        #expect(responses[4].closesConnection)
        #expect(!responses[0].closesConnection)
    }

    @Test func bodyIsCountedButNotKeptUnlessAsked() throws {
        let responses = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", chunk: 100, keepBody: false)
        #expect(responses.first?.body == [])
        #expect(responses.first?.bodyLength == 5)
    }

    @Test func malformedStatusLineIsAnError() {
        #expect(throws: ResponseParseError.self) { try Self.parse("HTTX/1.1 200 OK\r\n\r\n", chunk: 100) }
        #expect(throws: ResponseParseError.self) { try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", chunk: 100) }
    }
}
