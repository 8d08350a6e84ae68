import Foundation

/// Where the PostgreSQL programs (`initdb`, `pg_ctl`, `postgres`) of version 15 or newer live.
public struct PostgresBinaries: Sendable {
    /// The directory holding `initdb`, `pg_ctl` and `createdb`.
    public let directory: String
    /// The major version (`initdb --version`).
    public let majorVersion: Int

    public func path(_ program: String) -> String { directory + "/" + program }

    /// The lowest major version Surge's private server supports.
    public static let minimumMajorVersion = 15

    /// Where to look beyond `SURGE_PG_BINDIR`, `PATH` and `pg_config --bindir` (both found through
    /// the environment's `PATH`). Tests pass `.none` and their own `PATH` to control the search.
    public struct SearchRoots: Sendable {
        /// Parents of versioned installs laid out as `<root>/<major>/bin` (Debian: `/usr/lib/postgresql`).
        public var versioned: [String]
        /// Homebrew prefixes holding `postgresql@<major>/bin` and `postgresql/bin`.
        public var homebrew: [String]

        public init(versioned: [String] = [], homebrew: [String] = []) {
            self.versioned = versioned
            self.homebrew = homebrew
        }

        /// The usual Debian and Homebrew (Apple silicon and Intel) locations.
        public static let standard = SearchRoots(versioned: ["/usr/lib/postgresql"], homebrew: ["/opt/homebrew/opt", "/usr/local/opt"])
        /// Only `SURGE_PG_BINDIR`, `PATH` and `pg_config`.
        public static let none = SearchRoots()
    }

    /// Searches `SURGE_PG_BINDIR`, `PATH`, `pg_config --bindir` (the first `pg_config` on `PATH`), then `roots`.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment, roots: SearchRoots = .standard
    ) throws -> PostgresBinaries {
        var candidates: [String] = []
        if let explicit = environment["SURGE_PG_BINDIR"] { candidates.append(explicit) }
        for dir in (environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            if let resolved = resolvedDirectory(of: dir + "/initdb") { candidates.append(resolved) }
        }
        if let bindir = pgConfigBindir(environment: environment) { candidates.append(bindir) }
        for root in roots.versioned {
            candidates.append(contentsOf: versionedDirectories(under: root, suffix: "/bin"))
        }
        for root in roots.homebrew {
            candidates.append(contentsOf: versionedDirectories(under: root, prefix: "postgresql@", suffix: "/bin"))
            candidates.append(root + "/postgresql/bin")
        }
        var tooOld: [Int] = []
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir + "/initdb") {
            guard let version = majorVersion(of: dir) else { continue }
            if version >= minimumMajorVersion { return PostgresBinaries(directory: dir, majorVersion: version) }
            tooOld.append(version)
        }
        throw LocalPostgresError.binariesNotFound(foundOlder: tooOld.max())
    }

    static func resolvedDirectory(of file: String) -> String? {
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let resolved = URL(fileURLWithPath: file).resolvingSymlinksInPath()
        return resolved.deletingLastPathComponent().path
    }

    static func versionedDirectories(under root: String, prefix: String = "", suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let versions = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), let version = Int(name.dropFirst(prefix.count)) else { return nil }
            return (version, root + "/" + name + suffix)
        }
        return versions.sorted { $0.0 > $1.0 }.map(\.1)
    }

    static func pgConfigBindir(environment: [String: String]) -> String? {
        for dir in (environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            let tool = dir + "/pg_config"
            guard FileManager.default.isExecutableFile(atPath: tool) else { continue }
            return captureOutput(tool, ["--bindir"])?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    static func majorVersion(of directory: String) -> Int? {
        // "initdb (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        guard let text = captureOutput(directory + "/initdb", ["--version"]) else { return nil }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let index = words.firstIndex(of: "(PostgreSQL)"), index + 1 < words.count else { return nil }
        return Int(words[index + 1].split(separator: ".").first ?? "")
    }

    /// Runs a short, non-daemonising command and returns its standard output.
    static func captureOutput(_ path: String, _ arguments: [String]) -> String? {
        ChildProcess.capture(path, arguments)
    }
}
