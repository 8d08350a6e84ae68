import Testing
@testable import Capacity

@Suite struct InputTests {
    @Test func csvWithConcurrencyThroughputAndP99() throws {
        let points = try PointsCSV.parse("""
            # wrk runs, one per connection count
            Concurrency, Throughput, p99_ms
            1, 64.9, 12
            18, 995.9, 30

            36, "1652.4", 45
            """, file: "points.csv")
        #expect(points.count == 3)
        #expect(points[2] == LoadPoint(concurrency: 36, throughput: 1652.4, p99Seconds: 0.045))
    }

    @Test func rateColumnsBecomeConcurrencyByLittlesLaw() throws {
        let points = try PointsCSV.parse("rate,rps,latency_ms\n100,100,20\n400,380,50\n", file: "k6.csv")
        #expect(points.map(\.concurrency) == [2, 19])
    }

    @Test(arguments: [
        ("concurrency,throughput\n1,10\n2,abc\n", "points.csv:3: throughput \"abc\" is not a non-negative number"),
        ("users,latency\n1,10\n", "points.csv:1: no throughput column"),
        ("throughput\n10\n", "points.csv:1: no load column"),
        ("rate,throughput\n10,10\n", "points.csv:1: a rate column needs a mean latency column"),
        ("", "points.csv: empty file"),
    ])
    func badCSVNamesTheLineAndWhatIsWrong(text: String, message: String) {
        do {
            _ = try PointsCSV.parse(text, file: "points.csv")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect((error as? InputError)?.description.hasPrefix(message) == true, "\(error)")
        }
    }

    @Test func procStatLinesParseEvenWithSpacesInTheCommand() {
        let line = "1234 (postgres: writer) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 1000 10"
        let parsed = ProcessCPU.processTicks(line)
        #expect(parsed?.command == "postgres: writer")
        #expect(parsed?.ticks == 300)
        #expect(ProcessCPU.hostBusyTicks("cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 1 1 1 1 1") == 161)
    }
}

@Suite struct FormatTests {
    @Test(arguments: [(3900.4, "3,900"), (999.7, "1,000"), (99.97, "100"), (96.52, "96.5"), (0.0277285, "0.0277"), (2.9e-12, "0"), (-1300, "-1,300")])
    func numbersReadLikeAReport(value: Double, text: String) {
        #expect(Format.number(value) == text)
    }
}
