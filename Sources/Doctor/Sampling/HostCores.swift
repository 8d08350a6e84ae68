import Foundation

/// The database host's CPU cores, known only when the host is this machine (read from
/// /proc/cpuinfo); for a remote host the doctor says CPU state is unknown rather than guess.
enum HostCores {
    static let localHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]

    static func cores(forHost host: String) -> Int? {
        let name = ProcessInfo.processInfo.hostName
        guard localHosts.contains(host.lowercased()) || host == name else { return nil }
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        let count = text.split(separator: "\n").filter { $0.hasPrefix("processor") }.count
        return count > 0 ? count : nil
    }
}
