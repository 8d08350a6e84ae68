import Database
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The scale-out topology a cluster drill runs, from `surge cluster up`'s parts (`LocalCluster`):
/// HAProxy on a free loopback port → two `surge serve` processes (guarded profile) → the primary,
/// and one streaming replica taking catalog reads. All of it lives in a temporary directory that is
/// removed at the end; watchdogs stop the two PostgreSQL servers if this process dies first, and the
/// instances and HAProxy are stopped with the cluster.
final class DrillCluster: Sendable {
    let cluster: LocalCluster
    let directory: String
    let baseURL: URL
    private let running = Mutex<[LocalCluster.Instance]>([])

    /// The instances serving now (their ports and pids).
    var instances: [LocalCluster.Instance] { running.withLock { $0 } }

    private init(cluster: LocalCluster, directory: String, baseURL: URL) {
        self.cluster = cluster
        self.directory = directory
        self.baseURL = baseURL
    }

    /// Starts the databases (primary, then the replica from its base backup); the store is started by `serve`.
    static func start(osUser: String, surgeExecutable: String, logger: Logger) async throws -> DrillCluster {
        let directory = NSTemporaryDirectory() + "surge-drill-cluster-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let port = try LocalPostgres.pickPort()
        let cluster = try LocalCluster(.init(directory: directory, instances: 2, replicas: 1, pgbouncer: false, port: port,
                                             surgeExecutable: surgeExecutable,
                                             instanceEnvironment: ["SURGE_ADMIN_TOKEN": AdminTokenText.random(), "LOG_LEVEL": "error",
                                                                   // The drill's report says what was slow; a JSON line per slow statement would bury it.
                                                                   "SURGE_SLOW_QUERY_MS": "3600000"],
                                             osUser: osUser),
                                       logger: logger)
        guard let baseURL = URL(string: "http://127.0.0.1:\(port)") else { throw DrillError.storeDidNotStart }
        let drill = DrillCluster(cluster: cluster, directory: directory, baseURL: baseURL)
        do {
            try cluster.primary.stopWhenProcessExits(removing: directory)
            _ = try await cluster.startDatabases()
            for replica in cluster.replicas { try replica.stopWhenProcessExits() }
        } catch {
            await drill.stop()
            throw error
        }
        return drill
    }

    /// The primary's direct URL (migrations, seeding, the doctor).
    func primaryURL() throws -> DatabaseURL { try DatabaseURL(cluster.primary.url()) }
    /// The replica's URL.
    func replicaURL() throws -> DatabaseURL? { try cluster.replicas.first.map { try DatabaseURL($0.url()) } }

    /// Starts the instances and HAProxy; returns once HAProxy answers ready.
    func serve() async throws {
        let started = try await cluster.startServing()
        running.withLock { $0 = started }
    }

    /// SIGKILL of instance `index` (no graceful shutdown: what a crash or an OOM kill does).
    func kill(instance index: Int) -> String {
        guard let instance = instances.dropFirst(index).first else { return "no instance \(index + 1) to kill" }
        _ = Glibc.kill(instance.pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(instance.pid, &status, 0)
        return "SIGKILL of store instance \(index + 1) (pid \(instance.pid), port \(instance.port)): HAProxy's health check takes it out"
    }

    /// Starts instance `index` again on its port (HAProxy's health check puts it back).
    func restart(instance index: Int) throws -> String {
        let instance = try cluster.startInstance(index, pgbouncerPort: nil)
        running.withLock { instances in
            if instances.indices.contains(index) { instances[index] = instance }
        }
        try cluster.writeState(instances)
        return "store instance \(index + 1) started again (pid \(instance.pid), port \(instance.port))"
    }

    /// Stops HAProxy, the instances and both servers, and removes the directory.
    func stop() async {
        if !instances.isEmpty { try? cluster.writeState(instances) }
        try? await cluster.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The `surge` executable this process runs from (a cluster's instances are `surge serve` processes).
    static func ownExecutable() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              URL(fileURLWithPath: path).lastPathComponent == "surge" else { return nil }
        return path
    }
}
