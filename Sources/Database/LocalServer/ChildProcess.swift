import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every child process Surge starts (initdb, pg_ctl, the test watchdog, version probes), through
/// posix_spawn and `waitpid`, never Foundation's `Process`.
///
/// - Foundation's `Process` learns that a child exited by waiting for a descriptor it passes to the
///   child to close; `pg_ctl start` hands that descriptor on to the daemonised postmaster, so the wait
///   never ends.
/// - On Linux, `Process` and `Pipe` close descriptors they have already closed (swiftlang/swift#57827:
///   a `Pipe` end closed by `Process.run` is closed again when its `FileHandle` is freed). Between the
///   two closes the number can be reused by anything this process opens: an epoll, eventfd or timerfd
///   of libdispatch or SwiftNIO, or a socket. A dispatch timerfd closed under it is silently dropped
///   from its epoll set, and every `Task.sleep` and timer in the process stops firing: the "whole test
///   process idle" hang the restart test showed (no cooperative thread busy, the dispatch manager in
///   `epoll_wait` with no timeout).
/// - A child inherits none of this process's descriptors (`closefrom(3)` in the child): the postmaster
///   used to inherit the test process's sockets, pipes and event descriptors and keep them open.
enum ChildProcess {
    /// Runs `program` with `arguments` in `/tmp` (a directory any server user can enter); standard output
    /// and error go to `outputPath`; returns the exit status.
    static func run(_ program: String, _ programArguments: [String], environment: [String: String], outputPath: String) async throws -> Int32 {
        let pid = try spawn(program, programArguments, environment: environment, outputPath: outputPath, newSession: false)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { throw LocalPostgresError.commandFailed(program, "waitpid: \(String(cString: strerror(errno)))") }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return decode(status)
    }

    /// Runs a short, non-daemonising command to completion (blocking the calling thread) and returns its
    /// standard output, or `nil` when it cannot be started or fails.
    static func capture(_ program: String, _ arguments: [String]) -> String? {
        let outputPath = NSTemporaryDirectory() + "surge-capture-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { unlink(outputPath) }
        guard let pid = try? spawn(program, arguments, environment: ProcessInfo.processInfo.environment, outputPath: outputPath,
                                   newSession: false, inTmp: false, discardErrors: true) else { return nil }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        guard decode(status) == 0 else { return nil }
        return try? String(contentsOfFile: outputPath, encoding: .utf8)
    }

    /// Starts `program` in a session of its own, not waited for (a store instance, HAProxy): its pid.
    static func start(_ program: String, _ arguments: [String], environment: [String: String], outputPath: String) throws -> pid_t {
        try spawn(program, arguments, environment: environment, outputPath: outputPath, newSession: true, inTmp: false)
    }

    /// Starts `/bin/sh -c script` in a session of its own, detached: it is never waited for and
    /// outlives this process (the test watchdog).
    static func startDetached(script: String) throws {
        _ = try spawn("/bin/sh", ["-c", script], environment: ProcessInfo.processInfo.environment, outputPath: "/dev/null",
                      newSession: true, inTmp: false)
    }

    /// posix_spawn with standard input from /dev/null, output and errors to `outputPath`, no other
    /// descriptor inherited; with `inTmp`, `/bin/sh` enters /tmp first.
    private static func spawn(_ program: String, _ programArguments: [String], environment: [String: String], outputPath: String,
                              newSession: Bool, inTmp: Bool = true, discardErrors: Bool = false) throws -> pid_t {
        let path = "/bin/sh"
        let arguments: [String]
        if inTmp {
            arguments = ["-c", "cd /tmp && exec \"$0\" \"$@\"", program] + programArguments
        } else if program == path {
            arguments = programArguments
        } else {
            arguments = ["-c", "exec \"$0\" \"$@\"", program] + programArguments
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if discardErrors {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked and every handler at its default: a thread of this
        // process may block signals (seen: a PgBouncer started from the test process had SIGTERM and
        // SIGINT blocked, inherited through posix_spawn, and never stopped).
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Glibc)
        if newSession { flags |= Self.spawnSetSID }
        #endif
        posix_spawnattr_setflags(&attributes, flags)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw LocalPostgresError.commandFailed(program, String(cString: strerror(spawned)))
        }
        return pid
    }

    #if canImport(Glibc)
    /// glibc's `POSIX_SPAWN_SETSID` (spawn.h; not exported by the Glibc module).
    static let spawnSetSID: Int16 = 0x80

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc ≥ 2.34's `posix_spawn_file_actions_addclosefrom_np`, looked up at run time: the Glibc
    /// module does not export it.
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
    #endif

    /// The child closes every descriptor from 3 up before it runs the program.
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
        if let addCloseFrom { _ = addCloseFrom(&actions, 3) }
        #endif
    }

    /// WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
    private static func decode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
