import Foundation
import LoadTest

/// Output shared by `surge load` and its subcommands: progress, summary, JSON and HTML files.
enum LoadOutput {
    /// A live line on a terminal (rewritten in place), a plain line every 5 s otherwise, nothing when quiet.
    static func progressPrinter(quiet: Bool, totalSeconds: Double) -> (@Sendable (LiveSnapshot, Double) -> Void)? {
        guard !quiet else { return nil }
        let terminal = isatty(STDERR_FILENO) == 1
        return { snapshot, elapsed in
            let line = TextSummary.progressLine(snapshot, elapsedSeconds: elapsed, totalSeconds: totalSeconds)
            if terminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            } else if Int(elapsed.rounded()) % 5 == 0 {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    /// Runs a plan; a target that cannot be resolved is a usage error.
    static func run(_ plan: LoadPlan, options: RunOptions,
                    progress: (@Sendable (LiveSnapshot, Double) -> Void)? = nil) async throws -> RunResult {
        do {
            return try await LoadRunner.run(plan: plan, options: options, progress: progress)
        } catch let error as PlanError {
            throw UsageError(error.description)
        }
    }

    static func write(_ result: RunResult, json: String?, html: String?, quiet: Bool) throws {
        if !quiet, isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print(TextSummary.render(result))
        if let json {
            try writeFile(json, encode(result))
            if !quiet { print("wrote \(json)") }
        }
        if let html {
            try writeFile(html, Data(HTMLReport.render(result).utf8))
            if !quiet { print("wrote \(html)") }
        }
    }

    static func encode(_ result: RunResult) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(result)
    }

    static func writeFile(_ path: String, _ data: Data) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw UsageError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func readResult(_ path: String) throws -> RunResult {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(path)") }
        do {
            return try JSONDecoder().decode(RunResult.self, from: data)
        } catch {
            throw UsageError("\(path) is not a surge load JSON result (write one with --json): \(error)")
        }
    }
}
