import Drill
import Foundation
import LoadTest
import Logging
import Synchronization

/// A drill's progress on a terminal (standard error): one line per step, and the surge's live line
/// rewritten in place. Nothing when standard error is not a terminal, or with --quiet.
final class DrillProgressPrinter: Sendable {
    private let enabled: Bool
    private let liveLine = Mutex(false)

    /// The drill's store and sessions log warnings and errors only (LOG_LEVEL overrides).
    static let logger: Logger = {
        var logger = Logger(label: "surge.drill")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    var show: @Sendable (DrillProgress) -> Void {
        { [self] event in
            guard enabled else { return }
            switch event {
            case .step(let step):
                let text = String(format: "[%6.1fs] %-8@ %@\n", step.atSeconds, step.step as NSString, step.detail as NSString)
                write((clearLine() ? "\r\u{1B}[K" : "") + text)
            case .load(let snapshot, let elapsed, let total):
                liveLine.withLock { $0 = true }
                write("\r\u{1B}[K  " + TextSummary.progressLine(snapshot, elapsedSeconds: elapsed, totalSeconds: total))
            }
        }
    }

    func finish() {
        if enabled && clearLine() { write("\r\u{1B}[K") }
    }

    private func clearLine() -> Bool {
        liveLine.withLock { live in defer { live = false }; return live }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Runs a drill so that Ctrl-C (SIGINT) or SIGTERM cancels it: the drill then stops everything it
/// started, and the command says so and exits 130.
enum DrillInterrupt {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler {
                FileHandle.standardError.write(Data("\r\u{1B}[Ksurge: drill interrupted: stopping everything it started…\n".utf8))
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        do {
            return try await task.value
        } catch {
            if task.isCancelled {
                FileHandle.standardError.write(Data("surge: drill interrupted; the private store and PostgreSQL it started are stopped\n".utf8))
                exit(130)
            }
            throw error
        }
    }
}
