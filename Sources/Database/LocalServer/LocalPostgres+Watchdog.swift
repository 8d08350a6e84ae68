import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalPostgres {
    /// Starts a detached watchdog that stops the server (and removes `directory`) once this process
    /// has exited, however it exits: used by the test suite, which has no after-all hook and may crash.
    public func stopWhenProcessExits(removing directory: String? = nil) throws {
        let pid = getpid()
        let asUser = try serverUser().map { "/usr/bin/setpriv --reuid=\($0.uid) --regid=\($0.gid) --init-groups -- " } ?? ""
        let quote: (String) -> String = { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var script = "while [ -d /proc/\(pid) ]; do sleep 1; done; "
        script += "\(asUser)\(quote(binaries.path("pg_ctl"))) -D \(quote(dataDirectory)) -m immediate -w stop >/dev/null 2>&1; "
        if let directory { script += "rm -rf \(quote(directory))" }
        try ChildProcess.startDetached(script: script)
    }
}
