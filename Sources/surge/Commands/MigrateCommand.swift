import ArgumentParser
import Database

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the store's pending schema migrations.",
        discussion: """
            Safe to run from several instances at once (an advisory lock serialises them).
              surge migrate --database-url postgres://app@db.internal/store
            """
    )

    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        try await CLI.run {
            try await DatabaseSession.with(options) { database in
                let applied = try await Migrator().migrate(database)
                print(applied.isEmpty ? "up to date" : "applied \(applied.map(String.init).joined(separator: ", "))")
            }
        }
    }
}
