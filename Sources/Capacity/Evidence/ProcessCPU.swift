import Foundation

/// CPU time of local processes and of the whole host, from /proc (Linux). Two snapshots make a rate.
public struct ProcessCPU: Sendable, Equatable {
    /// CPU seconds by process group name (`surge`, `postgres`).
    public var secondsByCommand: [String: Double]
    /// Host CPU seconds busy (all but idle and iowait) and in total, summed over cores.
    public var hostBusySeconds: Double
    public var takenAtSeconds: Double

    static var ticksPerSecond: Double { Double(max(1, sysconf(Int32(_SC_CLK_TCK)))) }

    /// Cores online.
    public static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// A snapshot of each group's CPU seconds; nil where /proc is missing.
    ///
    /// A group counts its root, its live children, and the children it has already reaped (cutime and
    /// cstime): PostgreSQL's postmaster reaps every backend that exits, so no backend's time is lost.
    public static func snapshot(groups: [ProcessGroup]) -> ProcessCPU? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let busy = hostBusyTicks(stat) else { return nil }
        var byGroup: [String: Double] = [:]
        for group in groups {
            guard let root = try? String(contentsOfFile: "/proc/\(group.rootPID)/stat", encoding: .utf8), let ticks = processTicks(root) else { continue }
            var total = ticks.ticks + (group.includeChildren ? ticks.reapedChildTicks : 0)
            if group.includeChildren {
                for child in LocalProcesses.children(of: group.rootPID) {
                    if let text = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8), let childTicks = processTicks(text) {
                        total += childTicks.ticks
                    }
                }
            }
            byGroup[group.name, default: 0] += total / ticksPerSecond
        }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return ProcessCPU(secondsByCommand: byGroup, hostBusySeconds: busy / ticksPerSecond,
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

    /// The fields after the command name of a /proc/PID/stat line. The name is in parentheses and may
    /// contain spaces, so fields are counted from the last ")": index 0 is the state (field 3 in proc(5)).
    static func fieldsAfterName(_ line: String) -> [Substring]? {
        guard let close = line.lastIndex(of: ")") else { return nil }
        return line[line.index(after: close)...].split(separator: " ")
    }

    /// The command name, user+system ticks (fields 14, 15) and reaped children's ticks (16, 17) of a /proc/PID/stat line.
    static func processTicks(_ line: String) -> (command: String, ticks: Double, reapedChildTicks: Double)? {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), let fields = fieldsAfterName(line) else { return nil }
        let command = String(line[line.index(after: open)..<close])
        guard fields.count > 14, let user = Double(fields[11]), let system = Double(fields[12]),
              let childUser = Double(fields[13]), let childSystem = Double(fields[14]) else { return nil }
        return (command, user + system, childUser + childSystem)
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
