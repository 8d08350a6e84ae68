import ArgumentParser
import Foundation
import Logging
import Telemetry

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
        subcommands: [ServeCommand.self, ClusterCommand.self, SeedCommand.self, MigrateCommand.self, DBCommand.self, AnalyzeCommand.self, AdviseCommand.self, DoctorCommand.self, LoadCommand.self, CapacityCommand.self, DrillCommand.self]
    )

    /// Parses and runs the command; a usage mistake prints one line and exits 2 (not ArgumentParser's 64).
    static func main() async {
        // 12-factor: logs are an event stream on standard error; LOG_FORMAT=json for log shippers.
        let json = ProcessInfo.processInfo.environment["LOG_FORMAT"] == "json"
        LoggingSystem.bootstrap { label -> any LogHandler in
            json ? JSONLogHandler(label: label, write: JSONLogHandler.standardError) : TextLogHandler(label: label)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
                CLI.fail("\(message) (see --help)")
            }
            exit(withError: error)
        }
    }
}
