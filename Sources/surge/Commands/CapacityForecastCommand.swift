import ArgumentParser
import Capacity
import Foundation

/// `surge capacity forecast FILE`: the next peak of a request-rate history, and the headroom against capacity.
struct CapacityForecastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast the next peak request rate (seasonal Holt-Winters) and compare it with the capacity.",
        discussion: """
            A CSV with timestamp (Unix seconds or ISO 8601) and requests_per_second columns, or a Prometheus
            range-query response (several series are summed). At least two days; with two weeks the season is weekly:
              curl -s 'http://prom:9090/api/v1/query_range?query=sum(rate(surge_http_requests_total[5m]))&start=…&end=…&step=300' > rates.json
              surge capacity forecast rates.json --capacity 2600
              surge capacity forecast rates.csv --fit capacity.json --instances 2
            """
    )

    @Argument(help: "Rate history: CSV (timestamp, requests_per_second) or Prometheus range-query JSON.")
    var file: String

    @Option(help: "Capacity of the current deployment, req/s.")
    var capacity: Double?

    @Option(help: "A `surge capacity --json` report: its predicted ceiling is the capacity (of one instance).")
    var fit: String?

    @Option(help: "Store instances the capacity covers (default 1).")
    var instances: Int = 1

    @Option(help: "Write the forecast as JSON here.")
    var json: String?

    func run() async throws {
        try await CLI.run {
            guard instances >= 1 else { throw UsageError("--instances must be at least 1") }
            let series: RateSeries
            let forecast: PeakForecast
            do {
                series = try RateSeries.parse(try CapacityOutput.readText(file), file: file)
                forecast = try PeakForecast.make(series)
            } catch let error as InputError {
                throw UsageError(error.description)
            }
            print("\(forecast.modelLine), \(series.samples.count) samples")
            var headroom: Headroom?
            if let fit {
                let report: CapacityReport
                do {
                    report = try JSONDecoder().decode(CapacityReport.self, from: Data(try CapacityOutput.readText(fit).utf8))
                } catch let error as UsageError {
                    throw error
                } catch {
                    throw UsageError("\(fit) is not a `surge capacity --json` report")
                }
                guard let ceiling = report.estimate.ceilingThroughput else { throw UsageError("\(fit): the fit predicts no ceiling (no contention signal)") }
                headroom = Headroom(peak: forecast.ratePerSecond, plusMinus: forecast.plusMinus, capacity: ceiling * Double(instances),
                                    instances: instances, limitingResource: report.limitingResource?.sentence)
            } else if let capacity {
                guard capacity > 0 else { throw UsageError("--capacity must be positive (req/s)") }
                headroom = Headroom(peak: forecast.ratePerSecond, plusMinus: forecast.plusMinus, capacity: capacity, instances: instances)
            }
            print(forecast.summary(headroom: headroom))
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                try LoadOutput.writeFile(json, try encoder.encode(ForecastReport(forecast: forecast, headroom: headroom)))
                print("wrote \(json)")
            }
        }
    }
}

/// The forecast JSON: the peak and, when a capacity was given, the headroom.
struct ForecastReport: Encodable {
    var forecast: PeakForecast
    var headroom: Headroom?
}
