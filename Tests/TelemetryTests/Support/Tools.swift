import Foundation
import Subprocess
import SystemPackage

/// Runs an installed tool with a time limit; the result's output is captured (bounded).
enum Tool {
    struct Outcome: Sendable {
        var succeeded: Bool
        var output: String
        var error: String
    }

    struct Missing: Error, CustomStringConvertible {
        var name: String
        var package: String
        var description: String { "\(name) is not installed: apt-get install -y \(package)" }
    }

    /// The tool's path, or a `Missing` error that says which Debian package to install.
    static func locate(_ name: String, package: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw Missing(name: name, package: package)
    }

    static func run(_ path: String, _ arguments: [String], input: String? = nil, timeout: Duration = .seconds(120)) async throws -> Outcome {
        try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                let result = try await Subprocess.run(
                    .path(FilePath(path)), arguments: Arguments(arguments), workingDirectory: "/tmp",
                    input: .string(input ?? ""), output: .string(limit: 8 << 20), error: .string(limit: 8 << 20))
                return Outcome(succeeded: result.terminationStatus.isSuccess, output: result.standardOutput, error: result.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let outcome = first else {
                return Outcome(succeeded: false, output: "", error: "\(path) did not finish within \(timeout)")
            }
            return outcome
        }
    }

    /// The repository root (this file is Tests/TelemetryTests/Support/Tools.swift).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
}
