import ArgumentParser
import Database
import Foundation
import Storefront

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run the scale-out topology on this machine: primary, replicas, PgBouncer, store instances, HAProxy.",
        discussion: """
            Real parts on loopback ports, to try the topology and to test it: a PostgreSQL primary and
            streaming replicas (pg_basebackup, replication slots), PgBouncer in transaction mode (Debian's
            pgbouncer), N `surge serve` processes, and HAProxy (Debian's haproxy) in front with health checks
            on /health/ready. Everything lives in --dir; `down` stops it (data is kept for the next `up`).
              surge cluster up --instances 3 --replicas 1 --pgbouncer
              surge cluster down
            The configs written (haproxy.cfg, pgbouncer.ini) follow deploy/, which explains them for real hosts.
            """,
        subcommands: [Up.self, Down.self]
    )

    struct Placement: ParsableArguments {
        @Option(help: "Directory of every part's data, configs, logs and pid files.")
        var dir = ".surge/cluster"

        @Option(help: "OS user that runs PostgreSQL and PgBouncer when surge runs as root.")
        var pgUser = "postgres"
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the cluster (initialising it on first use) and wait until HAProxy answers ready.")

        @OptionGroup var placement: Placement

        @Option(help: "Store instances (surge serve processes) behind HAProxy.")
        var instances = 2

        @Option(help: "Streaming replicas for catalog reads.")
        var replicas = 1

        @Flag(help: "Put PgBouncer (transaction mode) between the instances and the primary.")
        var pgbouncer = false

        @Option(help: "HAProxy's port: the store's one address.")
        var port = 8080

        @Option(help: "Products to seed into an empty catalog.")
        var seedProducts = 100_000

        func validate() throws {
            guard (1...16).contains(instances) else { throw ValidationError("--instances must be from 1 to 16") }
            guard (0...4).contains(replicas) else { throw ValidationError("--replicas must be from 0 to 4") }
            guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
            guard seedProducts >= 0 else { throw ValidationError("--seed-products must be 0 or more") }
        }

        func run() async throws {
            try await CLI.run {
                for tool in ["/usr/sbin/haproxy"] + (pgbouncer ? ["/usr/sbin/pgbouncer"] : []) where !FileManager.default.isExecutableFile(atPath: tool) {
                    throw UsageError("\(tool) is missing: apt-get install haproxy pgbouncer")
                }
                let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
                let cluster = try LocalCluster(.init(directory: placement.dir, instances: instances, replicas: replicas, pgbouncer: pgbouncer,
                                                     port: port, surgeExecutable: executable, osUser: placement.pgUser), logger: CLI.logger)
                let direct = try await cluster.startDatabases()
                try await DatabaseSession.connect(direct, settings: .init(statementTimeout: .seconds(1800))) { setup in
                    try await StoreSetup.prepare(setup, .init(seedProducts: seedProducts, seed: 42, createStatementStatistics: true), logger: CLI.logger)
                }
                let started = try await cluster.startServing()
                var lines = ["surge cluster is running", "  store     http://127.0.0.1:\(port)/v1/products   (HAProxy, leastconn, checks /health/ready)"]
                for (index, instance) in started.enumerated() {
                    lines.append("  instance  \(index + 1): http://127.0.0.1:\(instance.port)  pid \(instance.pid)  log \(cluster.options.directory)/store-\(index + 1).log")
                }
                if let bouncer = cluster.pgbouncer {
                    lines.append("  pgbouncer \(try DatabaseURL(LocalPgBouncer(directory: bouncer.directory, port: LocalClusterPorts.pgbouncer(cluster), server: cluster.primary).url()))  (transaction mode)")
                }
                lines.append("  primary   \(direct)")
                for replica in cluster.replicas { lines.append("  replica   \(try DatabaseURL(replica.url()))") }
                lines.append("Stop it with: surge cluster down --dir \(placement.dir)")
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every part of the cluster (its data stays in --dir).")

        @OptionGroup var placement: Placement

        func run() async throws {
            try await CLI.run {
                guard FileManager.default.fileExists(atPath: placement.dir + "/primary") else {
                    throw UsageError("no cluster in \(placement.dir): start one with surge cluster up")
                }
                let replicas = ((try? FileManager.default.contentsOfDirectory(atPath: placement.dir)) ?? []).filter { $0.hasPrefix("replica-") }.count
                let pgbouncer = FileManager.default.fileExists(atPath: placement.dir + "/pgbouncer")
                let cluster = try LocalCluster(.init(directory: placement.dir, instances: 0, replicas: replicas, pgbouncer: pgbouncer, port: 0,
                                                     surgeExecutable: "", osUser: placement.pgUser), logger: CLI.logger)
                try await cluster.stop()
                print("surge cluster stopped (data kept in \(placement.dir))")
            }
        }
    }
}

/// Ports a running cluster recorded.
enum LocalClusterPorts {
    static func pgbouncer(_ cluster: LocalCluster) -> Int {
        (try? String(contentsOfFile: cluster.options.directory + "/pgbouncer.port", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }
}
