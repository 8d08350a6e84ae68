import ArgumentParser

/// `surge capacity`: predict where a service breaks from load it can safely take (USL), and forecast demand.
struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Predict peak throughput from a safe ramp (Universal Scalability Law), name the limiting resource, size pools and instances, forecast peaks.",
        discussion: """
            Ramp closed-loop concurrency steps against the store, stop at half the predicted peak, still predict it:
              surge capacity --target http://127.0.0.1:8080 --scenario browse-heavy --stop-at-fraction 0.5 \\
                --database-url postgres://… --store-metrics http://127.0.0.1:8080/metrics --html capacity.html
            Open-model rate steps first (from 25 req/s, doubling, up to half the peak the demand bound and the fit predict):
              surge capacity --target http://127.0.0.1:8080 --scenario browse-heavy --rates auto --stop-at-fraction 0.5 \\
                --database-url postgres://… --store-metrics http://127.0.0.1:8080/metrics
            Check the prediction by continuing to saturation:
              surge capacity --target http://127.0.0.1:8080/v1/products --stop-at-fraction 0.5 --validate
            Fit points measured by any tool (wrk, k6, JMeter): concurrency (or rate + latency_ms), throughput:
              surge capacity fit points.csv --slo-p99 300ms --peak 5x
            Forecast the next peak from a rate history (CSV or a Prometheus range query) against a capacity:
              surge capacity forecast rates.csv --capacity 2600
            Exit codes: 0 done, 2 bad input or no usable fit, 3 the target failed from the first step or the generator was the bottleneck.
            """,
        subcommands: [CapacityRunCommand.self, CapacityFitCommand.self, CapacityForecastCommand.self],
        defaultSubcommand: CapacityRunCommand.self
    )
}
