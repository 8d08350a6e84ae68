import ArgumentParser

/// `surge drill`: replay an incident end to end and prove the fix.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Replay an incident in minutes — fault, surge, diagnosis, fix, surge again — and write its postmortem.",
        discussion: """
            With nothing set up: a private PostgreSQL and the store (as `surge serve`
            starts them, small catalog), the fault injected, a flash sale at 5x the
            normal mix with bursts of buyers, what users saw, `surge doctor` timed
            until it names the cause, the fix (`surge advise`'s migration built with
            CREATE INDEX CONCURRENTLY, or the doctor's FIX), the guarded profile on,
            the same flash sale again, and the postmortem (HTML, --json, summary).
            Everything it started is stopped when it ends, Ctrl-C included.

              surge drill                        # the postmortem, ~3 min
              surge drill list                   # every drill
              surge drill lock-chain --html lock.html
              surge drill --rate 40 --hold-seconds 60 --json > pm.json
              surge drill idle-in-transaction --target http://127.0.0.1:8080 \\
                --database-url "$DATABASE_URL"   # your store: nothing injected

            Every option: surge drill run --help. Exit 0 when every objective
            holds after the fix, 1 when one does not, 2 for bad input, 130 on Ctrl-C.
            """,
        subcommands: [DrillRunCommand.self, DrillListCommand.self],
        defaultSubcommand: DrillRunCommand.self
    )
}
