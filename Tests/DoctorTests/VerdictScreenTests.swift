import Foundation
import Testing
@testable import Doctor

/// `--watch` on a terminal redraws one screen in place; into a pipe it prints plain lines (and with
/// `--json`, one JSON object per line).
@Suite struct VerdictScreenTests {
    static let verdict = Diagnosis.verdict(Fixtures.healthy(window: 2))
    static let clear = "\u{1B}[H\u{1B}[2J"

    @Test func watchOnATerminalHomesAndClearsBeforeEachVerdict() throws {
        let frame = try VerdictScreen(json: false, watch: true, redraw: true).frame(Self.verdict)
        #expect(frame.hasPrefix(Self.clear + "surge doctor — "))
        #expect(frame.contains("\nDIAGNOSIS: no database fault\n"))
        #expect(frame.components(separatedBy: Self.clear).count == 2)
    }

    @Test func watchIntoAPipeIsPlainLinesWithATimestamp() throws {
        let frame = try VerdictScreen(json: false, watch: true, redraw: false).frame(Self.verdict)
        #expect(!frame.contains("\u{1B}"))
        #expect(frame.hasPrefix("surge doctor — "))
        #expect(frame.split(separator: "\n")[1] == "DIAGNOSIS: no database fault")
    }

    @Test func watchWithJSONIntoAPipeIsOneObjectPerLine() throws {
        let frame = try VerdictScreen(json: true, watch: true, redraw: false).frame(Self.verdict)
        #expect(frame.filter { $0 == "\n" }.count == 1 && frame.hasSuffix("\n"))
        let object = try JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any]
        #expect(object?["healthy"] as? Bool == true)
    }

    @Test func oneVerdictIsJustTheReport() throws {
        let frame = try VerdictScreen(json: false, watch: false, redraw: false).frame(Self.verdict)
        #expect(frame == TextReport.render(Self.verdict))
    }
}
