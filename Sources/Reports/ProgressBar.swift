import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of long work on standard error: a redrawn bar on a terminal, a few plain lines otherwise
/// (CI logs), nothing when quiet.
public final class ProgressBar: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let label: String
    private let total: Int
    private let interactive: Bool
    private let quiet: Bool
    private var done = 0
    private var lastDrawn = -1
    private let started = Date()

    public init(label: String, total: Int, quiet: Bool = false) {
        self.label = label
        self.total = max(total, 1)
        self.quiet = quiet
        self.interactive = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
    }

    public func advance(by count: Int) {
        lock.lock()
        defer { lock.unlock() }
        done = min(total, done + count)
        let percent = done * 100 / total
        if interactive {
            guard percent != lastDrawn else { return }
            lastDrawn = percent
            let width = 30
            let filled = width * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\(label) \(bar) \(percent)% (\(done)/\(total))")
        } else if !quiet, percent / 25 != lastDrawn / 25 || lastDrawn < 0 {
            lastDrawn = percent
            write("\(label): \(percent)% (\(done)/\(total))\n")
        }
    }

    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !quiet || interactive else { return }
        let seconds = Date().timeIntervalSince(started)
        write((interactive ? "\r\u{1B}[2K" : "") + "\(label): done, \(total) in \(String(format: "%.1f", seconds)) s\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
