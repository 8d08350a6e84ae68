import Reports
import Testing

@Suite struct TextTableTests {
    @Test func alignsNumbersRightAndTextLeft() {
        let table = TextTable(headers: ["route", "p99"], rows: [["GET /a", "12 ms"], ["GET /longer", "3 ms"]])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[2] == "GET /a       12 ms")
        #expect(lines[3] == "GET /longer   3 ms")
    }
}
