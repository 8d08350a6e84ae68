import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a short command to completion with posix_spawn and `waitpid`.
///
/// Foundation's `Process` learns that a child exited by waiting for a descriptor it passes to the
/// child to close; `pg_ctl start` hands that descriptor on to the daemonised postmaster, so the wait
/// never ends. Reaping the child by pid has no such failure mode.
enum ChildProcess {
    /// Runs `path` with `arguments` in `/tmp` (a directory any server user can enter); standard output
    /// and error go to `outputPath`; returns the exit status.
    static func run(_ program: String, _ programArguments: [String], environment: [String: String], outputPath: String) async throws -> Int32 {
        let path = "/bin/sh"
        let arguments = ["-c", "cd /tmp && exec \"$0\" \"$@\"", program] + programArguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw LocalPostgresError.commandFailed(path, String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { throw LocalPostgresError.commandFailed(path, "waitpid: \(String(cString: strerror(errno)))") }
            try? await Task.sleep(for: .milliseconds(10))
        }
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
