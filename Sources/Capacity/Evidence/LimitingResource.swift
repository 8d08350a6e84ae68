/// Names the resource that saturates first, from per-step evidence, as a sentence with the step it happened at.
///
/// Rules, each giving the first step where it holds; the earliest wins (ties in this order):
/// PostgreSQL CPU (active backends ≥ the database's cores, or postgres processes ≥ 90% of them),
/// lock waits (≥ 0.5 backends waiting on Lock on average), pool waiters (≥ 1), admission rejections,
/// the store's CPU (≥ 90% of the host's cores), the host's CPU (≥ 95%, generator included). Cores already
/// all busy at step 1 mean other processes hold them: a caveat on the finding, or the finding when alone.
public struct LimitingResource: Sendable, Equatable, Codable {
    public var resource: String
    public var step: Int
    public var sentence: String

    public static func find(steps: [StepMeasurement], databaseCores: Int?) -> LimitingResource? {
        var found: [LimitingResource] = []
        func first(_ name: String, _ holds: (StepMeasurement) -> String?) {
            for step in steps {
                if let detail = holds(step) {
                    found.append(LimitingResource(resource: name, step: step.step, sentence: detail))
                    return
                }
            }
        }
        first("postgres_cpu") { step in
            let cores = databaseCores ?? step.evidence.hostCores
            guard let cores, cores > 0 else { return nil }
            if let active = step.evidence.activeBackends, active >= Double(cores) {
                return "PostgreSQL CPU: active backends (\(Format.number(active))) reach the \(cores) cores at step \(step.step)"
            }
            if let used = step.evidence.processCores?["postgres"], used >= 0.9 * Double(cores) {
                return "PostgreSQL CPU: postgres processes use \(Format.number(used)) of \(cores) cores at step \(step.step)"
            }
            return nil
        }
        first("lock_waits") { step in
            guard let locks = step.evidence.waitEvents?["Lock"], locks >= 0.5 else { return nil }
            return "lock waits: \(Format.number(locks)) backends waiting on locks on average from step \(step.step)"
        }
        first("pool_waiters") { step in
            guard let waiters = step.evidence.poolWaiters, waiters >= 1 else { return nil }
            return "pool waiters from step \(step.step) (up to \(Format.number(waiters)) callers waiting for a connection)"
        }
        first("admission") { step in
            guard let rejected = step.evidence.admissionRejected, rejected >= max(1, 0.01 * Double(step.requests)) else { return nil }
            return "admission rejections from step \(step.step) (\(Format.number(rejected)) shed)"
        }
        first("store_cpu") { step in
            guard let cores = step.evidence.hostCores, let used = step.evidence.processCores?["surge"], used >= 0.9 * Double(cores) else { return nil }
            return "store CPU: the store's processes use \(Format.number(used)) of \(cores) cores at step \(step.step)"
        }
        // The store and PostgreSQL on the same cores (one host, or pinned to the same CPUs as
        // Benchmarks/capacity.sh does): neither alone fills them, together they do (the guarded store at
        // 2,001 req/s: postgres 0.45 + surge 0.50 of 1 core, where each rule above saw half a core).
        first("server_cpu") { step in
            guard let cores = databaseCores ?? step.evidence.hostCores, cores > 0,
                  let used = step.evidence.processCores, let database = used["postgres"], let store = used["surge"],
                  database + store >= 0.9 * Double(cores) else { return nil }
            return "CPU: the store and PostgreSQL together use \(Format.number(database + store)) of the \(cores) core\(cores == 1 ? "" : "s") they share at step \(step.step)"
        }
        first("host_cpu") { step in
            guard step.step > 1, !(steps.first.map(Self.hostBusy) ?? false), let cores = step.evidence.hostCores, let busy = step.evidence.hostBusyCores, busy >= 0.95 * Double(cores) else { return nil }
            return "host CPU: all \(cores) cores busy at step \(step.step) (store, database and load generator share them)"
        }
        if let earliest = found.min(by: { $0.step < $1.step }) {
            if let first = steps.first, Self.hostBusy(first) { return earliest.withCaveat(Self.sharedHostCaveat) }
            return earliest
        }
        // Busy before the load rose: something else on this host holds the cores. Only a finding when nothing else is.
        if let first = steps.first, Self.hostBusy(first), let cores = first.evidence.hostCores {
            return LimitingResource(resource: "shared_host", step: 1,
                                    sentence: "host CPU: all \(cores) cores busy from step 1, before the load rose: \(Self.sharedHostCaveat)")
        }
        return nil
    }

    static let sharedHostCaveat = "other processes share this host, so the measured peak is a lower bound"

    static func hostBusy(_ step: StepMeasurement) -> Bool {
        guard let cores = step.evidence.hostCores, let busy = step.evidence.hostBusyCores else { return false }
        return busy >= 0.95 * Double(cores)
    }

    func withCaveat(_ caveat: String) -> LimitingResource {
        LimitingResource(resource: resource, step: step, sentence: sentence + " (the host's cores were all busy from step 1: " + caveat + ")")
    }
}
