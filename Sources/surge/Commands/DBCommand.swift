import ArgumentParser
import Database
import Logging

struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the private PostgreSQL server of zero-config mode.",
        discussion: """
            The server lives in --data-dir (default .surge/postgres), listens on 127.0.0.1 only and
            preloads pg_stat_statements. `surge serve` starts it by itself; these commands are for
            keeping it up between runs or pointing other tools at it:
              surge db start && psql "$(surge db url)"
            """,
        subcommands: [Start.self, Stop.self, Status.self, URLCommand.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Initialise (first time) and start the private server.")
        @OptionGroup var options: DatabaseOptions
        func run() async throws {
            try await CLI.run {
                let server = try options.localServer(logger: CLI.logger)
                let started = try await server.start()
                print(started ? "started: \(try DatabaseURL(server.url()))" : "already running: \(try DatabaseURL(server.url()))")
            }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the private server (fast shutdown).")
        @OptionGroup var options: DatabaseOptions
        func run() async throws {
            try await CLI.run {
                try await options.localServer(logger: CLI.logger).stop()
                print("stopped")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the private server is initialised and running.")
        @OptionGroup var options: DatabaseOptions
        func run() async throws {
            try await CLI.run {
                let server = try options.localServer(logger: CLI.logger)
                switch try await server.status() {
                case .notInitialized: print("not initialised (\(server.dataDirectory))")
                case .stopped: print("stopped (\(server.dataDirectory))")
                case .running(let pid): print("running, pid \(pid), \(try DatabaseURL(server.url()))")
                }
            }
        }
    }

    struct URLCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print the private server's connection URL (with password).")
        @OptionGroup var options: DatabaseOptions
        func run() async throws {
            try await CLI.run {
                print(try options.localServer(logger: CLI.logger).url())
            }
        }
    }
}
