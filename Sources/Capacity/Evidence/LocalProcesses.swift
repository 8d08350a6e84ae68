import Foundation

/// Processes on this host found by what they serve, not by name: on a shared machine several stores
/// and PostgreSQL servers run at once, and only the ones behind the target's ports count.
public struct ProcessGroup: Sendable, Equatable {
    /// "surge" for the store, "postgres" for the database (the keys of `StepEvidence.processCores`).
    public var name: String
    public var rootPID: Int32
    /// Count the root's children too (PostgreSQL: one backend process per connection).
    public var includeChildren: Bool

    public init(name: String, rootPID: Int32, includeChildren: Bool) {
        self.name = name
        self.rootPID = rootPID
        self.includeChildren = includeChildren
    }

    /// The process listening on TCP `port` on this host, by its name, or nil when none is visible.
    public static func listening(on port: Int, name: String, includeChildren: Bool) -> ProcessGroup? {
        LocalProcesses.listeningPID(port: port).map { ProcessGroup(name: name, rootPID: $0, includeChildren: includeChildren) }
    }
}

enum LocalProcesses {
    /// The pid owning the listening socket of `port` (/proc/net/tcp{,6} inode, then /proc/PID/fd links).
    static func listeningPID(port: Int) -> Int32? {
        var inodes: Set<String> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            inodes.formUnion(listeningInodes(text, port: port))
        }
        guard !inodes.isEmpty else { return nil }
        let targets = Set(inodes.map { "socket:[\($0)]" })
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry)/fd") else { continue }
            for fd in fds {
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(fd)"), targets.contains(link) {
                    return pid
                }
            }
        }
        return nil
    }

    /// Inodes of sockets listening (state 0A) on `port` in a /proc/net/tcp table.
    static func listeningInodes(_ table: String, port: Int) -> [String] {
        let hexPort = String(format: "%04X", port)
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] == "0A", fields[1].hasSuffix(":" + hexPort) else { return nil }
            return String(fields[9])
        }
    }

    /// Direct children of `pid` (the parent pid is field 4 of /proc/PID/stat).
    static func children(of parent: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let fields = ProcessCPU.fieldsAfterName(stat), fields.count > 1, Int32(fields[1]) == parent else { return nil }
            return pid
        }
    }
}

/// Which CPUs a process may run on (its affinity), from /proc/PID/status.
public enum CPUAffinity {
    /// The CPUs `pid` may run on; nil where /proc is missing.
    public static func allowed(pid: Int32) -> Set<Int>? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return parseList(String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// `0-2,5` → [0, 1, 2, 5].
    static func parseList(_ text: String) -> Set<Int>? {
        var cpus = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.filter { !$0.isWhitespace }) }
            guard let first = bounds.first ?? nil else { return nil }
            let last = bounds.count > 1 ? bounds[1] ?? first : first
            guard last >= first else { return nil }
            cpus.formUnion(first...last)
        }
        return cpus.isEmpty ? nil : cpus
    }

    /// What the bottleneck law counts for the CPU: the cores the server's groups may run on, and every
    /// measured group whose affinity overlaps them (the generator too when it shares the cores).
    public static func resources(server: [ProcessGroup], generator: ProcessGroup?, online: Int) -> (cores: Double, processes: [String])? {
        guard !server.isEmpty else { return nil }
        let all = Set(0..<online)
        var cores = Set<Int>()
        for group in server { cores.formUnion(allowed(pid: group.rootPID) ?? all) }
        cores.formIntersection(all)
        guard !cores.isEmpty else { return nil }
        var names = server.map(\.name)
        if let generator, !(allowed(pid: generator.rootPID) ?? all).isDisjoint(with: cores) { names.append(generator.name) }
        return (Double(cores.count), names)
    }
}
