import ArgumentParser
import Drill
import Reports

/// `surge drill list`: the drills, what each breaks and what the doctor should name.
struct DrillListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the drills: the fault each injects and the cause the doctor should name."
    )

    func run() async throws {
        var table = TextTable(headers: ["drill", "doctor should name", "what happens"])
        for drill in DrillName.allCases {
            let causes = drill.expectedCauses.map(\.rawValue).sorted().joined(separator: " or ")
            table.append([drill.rawValue, causes.isEmpty ? "(recovery)" : causes, drill.summary])
        }
        print(table.render())
    }
}
