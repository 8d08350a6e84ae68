import Foundation
import Logging
import Testing
@testable import Telemetry

@Suite struct TextLogHandlerTests {
    @Test func writesStreamLogHandlersLineWithMetadataSortedAtWriteTime() {
        var handler = TextLogHandler(label: "surge")
        handler[metadataKey: "port"] = "54329"
        handler[metadataKey: "data_dir"] = "/tmp/pg"
        #expect(handler[metadataKey: "port"] == "54329")
        let event = LogEvent(level: .info, message: "started", metadata: ["port": "1"], source: "Database",
                             file: #fileID, function: #function, line: #line)
        let line = TextLogHandler.line(event: event, label: "surge", metadata: handler.metadata, provider: nil)
        // The event's own metadata wins over the logger's; keys are sorted; one line.
        #expect(line.hasSuffix(" info surge: data_dir=/tmp/pg port=1 [Database] started\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func lineWithoutMetadataHasNoPairs() {
        let event = LogEvent(level: .warning, message: "hello", metadata: nil, source: "surge", file: #fileID, function: #function, line: #line)
        let line = TextLogHandler.line(event: event, label: "x", metadata: [:], provider: nil)
        #expect(line.hasSuffix(" warning x: [surge] hello\n"))
    }

    @Test func timestampIsISO8601WithOffset() {
        let stamp = TextLogHandler.timestamp(Date(timeIntervalSince1970: 0))
        #expect(stamp.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$"#, options: .regularExpression) != nil)
    }
}
