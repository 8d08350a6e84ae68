import Foundation
import LoadTest
import Reproducible
import Testing
@testable import Capacity

@Suite struct ForecastTests {
    /// Hourly rates: 1,000 req/s base, +2 req/s per hour of trend, an evening bump peaking at 20:00 UTC of
    /// +1,500 req/s, Gaussian noise (sd 30). Starts Monday 2026-11-02 00:00 UTC.
    static func series(days: Int, fridayBoost: Double = 0, seed: UInt64 = 7) -> (RateSeries, (Double) -> Double) {
        let start = 1_793_577_600.0
        func exact(_ time: Double) -> Double {
            let hours = (time - start) / 3600
            let hourOfDay = hours.truncatingRemainder(dividingBy: 24)
            let weekday = Int(hours / 24) % 7  // 0 = Monday
            let evening = 1500 * exp(-pow(hourOfDay - 20, 2) / 8)
            return 1000 + 2 * hours + evening * (weekday == 4 ? 1 + fridayBoost : 1)
        }
        var random = SplitMix64(seed: seed)
        let samples = (0..<(days * 24)).map { hour -> (time: Double, value: Double) in
            let time = start + Double(hour) * 3600
            let u1 = random.unitInterval(), u2 = random.unitInterval()
            return (time, exact(time) + 30 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        return (RateSeries(samples: samples), exact)
    }

    @Test func dailySeasonForecastFindsTheEveningPeak() throws {
        let (series, exact) = Self.series(days: 8)
        let forecast = try PeakForecast.make(series)
        #expect(forecast.season == "daily")
        let hour = Int(forecast.time.truncatingRemainder(dividingBy: 86_400) / 3600)
        #expect(abs(hour - 20) <= 1, "peak at \(hour):00")
        let truth = exact(forecast.time)
        #expect(abs(forecast.ratePerSecond / truth - 1) < 0.05, "forecast \(forecast.ratePerSecond) vs \(truth)")
        #expect(forecast.plusMinus > 30 && forecast.plusMinus < 400)
    }

    @Test func weeklySeasonWithTwoWeeksFindsTheFridayPeak() throws {
        let (series, exact) = Self.series(days: 21, fridayBoost: 0.6)
        let forecast = try PeakForecast.make(series)
        #expect(forecast.season == "weekly")
        #expect(forecast.when.hasPrefix("Fri"), "\(forecast.when)")
        #expect(abs(forecast.ratePerSecond / exact(forecast.time) - 1) < 0.06)
    }

    @Test func prometheusRangeQueryJSONIsSummedAcrossSeries() throws {
        let json = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"values":[[1700000000,"10"],[1700000060,"12.5"]]},{"metric":{"instance":"b"},"values":[[1700000000,"1"],[1700000060,"2"]]}]}}"#
        let series = try RateSeries.parse(json, file: "rates.json")
        #expect(series.samples.map(\.value) == [11, 14.5])
    }

    @Test func tooShortAHistoryIsRefused() throws {
        let (series, _) = Self.series(days: 1)
        #expect(throws: InputError.self) { try PeakForecast.make(series) }
    }

    @Test func headroomSaysWhatToAdd() {
        let short = Headroom(peak: 3900, plusMinus: 400, capacity: 2600)
        #expect(short.summary == "3,900 req/s ± 400, capacity 2,600: short by 1,300 req/s (add 1 instance or cache listings)")
        let fits = Headroom(peak: 1000, plusMinus: 100, capacity: 2600)
        #expect(fits.summary.contains("fits"))
        let database = Headroom(peak: 3900, plusMinus: 400, capacity: 2600, limitingResource: "PostgreSQL CPU: active backends reach the 2 cores at step 6")
        #expect(database.summary.contains("more store instances will not help"))
    }
}
