import ArgumentParser

@main
struct Surge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract: "A surge-proof store on PostgreSQL, and the toolkit to load-test, diagnose and tune it.",
        discussion: """
            Run the store with zero configuration (a private PostgreSQL is started and seeded):
              surge serve
            Manage that private PostgreSQL by hand:
              surge db start | stop | status | url
            """,
        subcommands: [DBCommand.self, MigrateCommand.self, AnalyzeCommand.self, AdviseCommand.self]
    )
}
