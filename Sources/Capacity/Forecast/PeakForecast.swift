import Foundation

/// The next peak of a rate series by seasonal Holt–Winters: daily season, weekly once two weeks are known.
public struct PeakForecast: Sendable, Equatable, Codable {
    /// Unix seconds of the forecast peak.
    public var time: Double
    public var ratePerSecond: Double
    /// Half-width of the 95% prediction interval at the peak.
    public var plusMinus: Double
    public var season: String
    public var stepSeconds: Double
    public var horizonSeconds: Double
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    /// One-step residual standard deviation over the history.
    public var residualStandardDeviation: Double
    /// The forecast over the horizon, (Unix seconds, rate), for charts.
    public var path: [ForecastPoint]

    public struct ForecastPoint: Sendable, Equatable, Codable {
        public var time: Double
        public var rate: Double
    }

    public var upperRate: Double { ratePerSecond + plusMinus }

    public static let day = 86_400.0

    /// Forecasts the highest rate over the next season (a day, or a week with ≥ 2 weeks of history).
    public static func make(_ series: RateSeries) throws -> PeakForecast {
        let (values, start, step) = series.regular()
        let spanSeconds = Double(values.count) * step
        let weekly = spanSeconds >= 14 * day
        let seasonSeconds = weekly ? 7 * day : day
        let m = Int((seasonSeconds / step).rounded())
        guard values.count >= 2 * m, m >= 2 else {
            throw InputError("the forecast needs at least two days of history (got \(String(format: "%.1f", spanSeconds / 3600)) h at \(Int(step)) s steps)")
        }
        guard let model = HoltWinters.fitted(values, seasonLength: m), let state = model.run(values) else {
            throw InputError("the Holt-Winters fit failed on this series")
        }
        let end = start + Double(values.count) * step
        var path: [ForecastPoint] = []
        var peakStep = 1
        var peakValue = -Double.infinity
        for h in 1...m {
            let value = max(0, model.forecast(state, steps: h))
            path.append(ForecastPoint(time: end + Double(h - 1) * step, rate: value))
            if value > peakValue {
                peakValue = value
                peakStep = h
            }
        }
        return PeakForecast(
            time: end + Double(peakStep - 1) * step, ratePerSecond: peakValue,
            plusMinus: model.intervalHalfWidth(state, steps: peakStep), season: weekly ? "weekly" : "daily",
            stepSeconds: step, horizonSeconds: seasonSeconds, alpha: model.alpha, beta: model.beta, gamma: model.gamma,
            residualStandardDeviation: state.residualStandardDeviation, path: path)
    }

    /// "Fri 20:00" in UTC.
    public var when: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: time))
    }
}

extension PeakForecast {
    /// "daily Holt-Winters (300 s steps): α 0.31 β 0.010 γ 0.42, residual sd 41 req/s".
    public var modelLine: String {
        String(format: "%@ Holt-Winters (%d s steps): α %.2f β %.3f γ %.2f, residual sd %@ req/s",
               season, Int(stepSeconds), alpha, beta, gamma, Format.number(residualStandardDeviation))
    }

    /// "Fri 20:00 UTC: 3,900 req/s ± 400, capacity 2,600: short by 1,300 req/s (add 1 instance or cache listings)".
    public func summary(headroom: Headroom?) -> String {
        if let headroom { return "\(when) UTC: \(headroom.summary)" }
        return "\(when) UTC: \(Format.number(ratePerSecond)) req/s ± \(Format.number(plusMinus)) (give --capacity or --fit for the headroom)"
    }
}
