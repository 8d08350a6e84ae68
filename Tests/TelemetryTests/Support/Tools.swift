import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs an installed tool (promtool, chromium) with a time limit.
///
/// posix_spawn + `waitpid`, output to files: Foundation's `Process` waits for a descriptor that a
/// browser's helper processes inherit (the trap in STACK-NOTES), and a pipe nobody drains can stall
/// a chatty child. The child gets its own process group so a timeout kills its helpers too.
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

    struct SpawnFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// The tool's path, or a `Missing` error that says which Debian package to install.
    static func locate(_ name: String, package: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw Missing(name: name, package: package)
    }

    static func run(_ path: String, _ arguments: [String], input: String? = nil, timeout: Duration = .seconds(120)) async throws -> Outcome {
        let directory = NSTemporaryDirectory() + "surge-tool-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (inputPath, outputPath, errorPath) = (directory + "/stdin", directory + "/stdout", directory + "/stderr")
        try (input ?? "").write(toFile: inputPath, atomically: true, encoding: .utf8)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw SpawnFailed(description: "\(path): \(String(cString: strerror(spawned)))") }

        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        var timedOut = false
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { throw SpawnFailed(description: "waitpid: \(String(cString: strerror(errno)))") }
            if ContinuousClock.now > deadline {
                kill(-pid, SIGKILL)
                timedOut = true
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // The browser's helpers share the group: make sure none outlives the run.
        kill(-pid, SIGKILL)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        var error = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        if timedOut { error += "\n\(path) did not finish within \(timeout) and was killed" }
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let exitedCleanly = (status & 0x7f) == 0 && (status >> 8) & 0xff == 0
        return Outcome(succeeded: exitedCleanly && !timedOut, output: output, error: error)
    }

    /// The repository root (this file is Tests/TelemetryTests/Support/Tools.swift).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
}
