import Foundation

/// CPU time of local processes and of the whole host, from /proc (Linux). Two snapshots make a rate.
public struct ProcessCPU: Sendable, Equatable {
    /// CPU seconds by command name (summed over processes), excluding this process.
    public var secondsByCommand: [String: Double]
    /// Host CPU seconds busy (all but idle and iowait) and in total, summed over cores.
    public var hostBusySeconds: Double
    public var takenAtSeconds: Double

    static var ticksPerSecond: Double { Double(max(1, sysconf(Int32(_SC_CLK_TCK)))) }

    /// Cores online.
    public static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// A snapshot of the processes whose command name is in `commands`; nil where /proc is missing.
    public static func snapshot(commands: Set<String>) -> ProcessCPU? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let busy = hostBusyTicks(stat) else { return nil }
        let me = getpid()
        var byCommand: [String: Double] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != me,
                  let text = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let parsed = processTicks(text), commands.contains(parsed.command) else { continue }
            byCommand[parsed.command, default: 0] += parsed.ticks / ticksPerSecond
        }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return ProcessCPU(secondsByCommand: byCommand, hostBusySeconds: busy / ticksPerSecond,
                          takenAtSeconds: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
    }

    /// Cores used between two snapshots, by command, and by the host.
    public static func cores(from start: ProcessCPU, to end: ProcessCPU) -> (byCommand: [String: Double], host: Double) {
        let wall = max(end.takenAtSeconds - start.takenAtSeconds, 1e-3)
        var byCommand: [String: Double] = [:]
        for (command, seconds) in end.secondsByCommand {
            byCommand[command] = max(0, seconds - (start.secondsByCommand[command] ?? 0)) / wall
        }
        return (byCommand, max(0, end.hostBusySeconds - start.hostBusySeconds) / wall)
    }

    /// The command name and user+system ticks from a /proc/PID/stat line. The name is in parentheses and
    /// may contain spaces, so fields are counted from the last ")".
    static func processTicks(_ line: String) -> (command: String, ticks: Double)? {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { return nil }
        let command = String(line[line.index(after: open)..<close])
        let fields = line[line.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, utime 14, stime 15 (1-based in proc(5)), so indices 11 and 12 here.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (command, user + system)
    }

    /// Busy ticks (user nice system irq softirq steal) from the aggregate "cpu" line of /proc/stat.
    static func hostBusyTicks(_ stat: String) -> Double? {
        guard let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 5 else { return nil }
        let idle = values[3] + values[4]
        return values.prefix(8).reduce(0, +) - idle
    }
}
