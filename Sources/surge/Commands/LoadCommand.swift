import ArgumentParser

/// `surge load`: open-model load tests with honest latency, plus comparing and merging results.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load-test an HTTP service with a fixed arrival rate and honest latency (no coordinated omission).",
        discussion: """
            A single URL at 500 requests/s for 30 s, failing if p99 goes above 300 ms in any 10 s window:
              surge load http://127.0.0.1:8080/v1/products --rate 500 --duration 30s --slo "p99<300ms every 10s,errors<1%"
            A scenario file (schema in docs/load.md), or a built-in store scenario:
              surge load --scenario scenarios/shop.yaml --json run.json --html run.html
              surge load --scenario flash-sale --target http://127.0.0.1:8080 --rate 20
            Check the generator itself, compare two runs, merge segments:
              surge load --self-test
              surge load compare before.json after.json
              surge load merge seg1.json seg2.json --html all.html
            Exit codes: 0 pass, 1 an SLO failed, 2 bad input, 3 the generator was the bottleneck.
            """,
        subcommands: [LoadRunCommand.self, LoadCompareCommand.self, LoadMergeCommand.self],
        defaultSubcommand: LoadRunCommand.self
    )
}
