import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalPostgres {
    /// Makes a streaming replica of this (running) server in `dataDirectory`, listening on `port`:
    /// `pg_basebackup -R -X stream -C -S slot` as the server user (the application role is the
    /// superuser, so it may replicate; initdb's pg_hba.conf allows replication from 127.0.0.1), then
    /// the copied settings are pointed at the replica's own port and socket directory. The replica is
    /// not started; `start()` on the returned value starts it (and `stop()` stops it) as any server.
    ///
    /// The replication slot keeps the primary's WAL until the replica has it, so a stopped replica
    /// catches up when started again; drop the slot (`pg_drop_replication_slot`) when the replica goes.
    public func makeReplica(dataDirectory replicaDirectory: String, port: Int, slot: String) async throws -> LocalPostgres {
        let settings = try storedSettings()
        var replicaConfiguration = configuration
        replicaConfiguration.dataDirectory = replicaDirectory
        replicaConfiguration.port = port
        let replica = try LocalPostgres(configuration: replicaConfiguration, binaries: binaries, logger: logger)
        let directory = replica.dataDirectory
        let user = try serverUser()
        let fm = FileManager.default
        try? fm.removeItem(atPath: directory)
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let user { _ = chown(directory, user.uid, user.gid) }
        _ = chmod(directory, 0o700)
        let backup = try await runAsServerUser(binaries.path("pg_basebackup"), [
            "-h", "127.0.0.1", "-p", "\(settings.port)", "-U", settings.user, "-D", directory,
            "-R", "-X", "stream", "-C", "-S", slot, "--checkpoint=fast", "--no-sync",
        ], environment: ["PGPASSWORD": settings.password])
        guard backup.succeeded else { throw LocalPostgresError.commandFailed("pg_basebackup", backup.output) }
        // The copy carries the primary's surge.conf (its port and socket directory): override them.
        let confPath = directory + "/surge.conf"
        let lines = "\n# The replica's own (written by surge after pg_basebackup).\nport = \(port)\nunix_socket_directories = '\(directory)'\nhot_standby = on\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: confPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.utf8))
        try handle.close()
        // Stale files of the primary's run must not make the replica think it is running.
        try? fm.removeItem(atPath: directory + "/postmaster.pid")
        try? fm.removeItem(atPath: directory + "/server.log")
        let secret = "user=\(settings.user)\npassword=\(settings.password)\nport=\(port)\n"
        try secret.write(toFile: replica.secretsPath, atomically: true, encoding: .utf8)
        _ = chmod(replica.secretsPath, 0o600)
        return replica
    }

}
