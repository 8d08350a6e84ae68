import Foundation
@testable import Database
import Testing

/// The search for PostgreSQL programs, against fake installs in a temporary directory (no real
/// PostgreSQL is touched: the roots and `PATH` are injected).
@Suite struct PostgresBinariesTests {
    /// A fresh empty directory, removed after `body`.
    private func withScratch(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surge-binaries-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    /// An executable shell script at `path` that prints `output`. Written through a descriptor opened
    /// close-on-exec: the suite's other tests start processes at the same time, and a child that
    /// inherited a descriptor still open for writing on the script would make running it fail with
    /// ETXTBSY ("Text file busy") for as long as the child lives (Foundation's atomic write opens
    /// its temporary file without O_CLOEXEC).
    private func script(_ path: String, printing output: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let bytes = Array("#!/bin/sh\necho '\(output)'\n".utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    @Test func noBinariesAnywhereSaysInOneLineHowToInstallThemOrPassAURL() throws {
        try withScratch { empty in
            let error = #expect(throws: LocalPostgresError.self) {
                try PostgresBinaries.locate(environment: ["PATH": empty], roots: .none)
            }
            let message = error?.description ?? ""
            #expect(!message.contains("\n"), "one line")
            #expect(message.hasPrefix("no PostgreSQL server programs were found"))
            #expect(message.contains("apt-get install postgresql"))
            #expect(message.contains("brew install postgresql"))
            #expect(message.contains("SURGE_PG_BINDIR"))
            #expect(message.contains("--database-url postgres://"))
        }
    }

    @Test func anOlderServerOnPathIsNamedInTheMessage() throws {
        try withScratch { dir in
            try script(dir + "/bin/initdb", printing: "initdb (PostgreSQL) 14.11")
            let error = #expect(throws: LocalPostgresError.self) {
                try PostgresBinaries.locate(environment: ["PATH": dir + "/bin"], roots: .none)
            }
            #expect(error?.description.hasPrefix("only PostgreSQL 14 was found; install PostgreSQL 15 or newer") == true)
        }
    }

    @Test func pgConfigOnPathPointsAtTheBinDirectory() throws {
        try withScratch { dir in
            try script(dir + "/server/initdb", printing: "initdb (PostgreSQL) 16.4")
            try script(dir + "/tools/pg_config", printing: dir + "/server")
            let found = try PostgresBinaries.locate(environment: ["PATH": dir + "/tools"], roots: .none)
            #expect(found.directory == dir + "/server")
            #expect(found.majorVersion == 16)
        }
    }

    @Test func versionedRootsPreferTheNewestSupportedMajor() throws {
        try withScratch { dir in
            try script(dir + "/lib/14/bin/initdb", printing: "initdb (PostgreSQL) 14.11")
            try script(dir + "/lib/15/bin/initdb", printing: "initdb (PostgreSQL) 15.18")
            try script(dir + "/lib/17/bin/initdb", printing: "initdb (PostgreSQL) 17.2")
            try script(dir + "/brew/postgresql@16/bin/initdb", printing: "initdb (PostgreSQL) 16.4")
            let debian = try PostgresBinaries.locate(environment: ["PATH": ""], roots: .init(versioned: [dir + "/lib"]))
            #expect(debian.majorVersion == 17)
            #expect(debian.directory == dir + "/lib/17/bin")
            let brew = try PostgresBinaries.locate(environment: ["PATH": ""], roots: .init(homebrew: [dir + "/brew"]))
            #expect(brew.directory == dir + "/brew/postgresql@16/bin")
        }
    }
}
