import Doctor
import Storefront

/// The drills `surge drill` knows, by their stable names.
public enum DrillName: String, Sendable, Codable, CaseIterable {
    case postmortem
    case lockChain = "lock-chain"
    case connectionLeak = "connection-leak"
    case idleInTransaction = "idle-in-transaction"
    case slowPayment = "slow-payment"
    case cacheStampede = "cache-stampede"
    case postgresRestart = "postgres-restart"
    case instanceDies = "instance-dies"
    case replicaLag = "replica-lag"

    /// One line for `surge drill list`.
    public var summary: String {
        switch self {
        case .postmortem:
            "the flash-sale postmortem: naive store, the product page's index missing; fixed by the advisor's migration and the guarded profile"
        case .lockChain:
            "a migration's ALTER TABLE queues behind an open transaction and every product page queues behind it"
        case .connectionLeak:
            "a worker opens connections and never returns them until PostgreSQL refuses new ones"
        case .idleInTransaction:
            "a session updates stock rows, then sits idle in its transaction holding their locks"
        case .slowPayment:
            "the payment provider answers in seconds instead of milliseconds"
        case .cacheStampede:
            "a catalog-wide invalidation, again and again, during the sale: every page misses the cache"
        case .postgresRestart:
            "PostgreSQL restarts in the middle of the sale"
        case .instanceDies:
            "scale-out: one of two store instances behind HAProxy is killed in the middle of the sale"
        case .replicaLag:
            "scale-out: the streaming replica that serves catalog reads stops replaying and falls behind"
        }
    }

    /// The fault, as the postmortem's "what broke" says it.
    public var title: String {
        switch self {
        case .postmortem: "missing index on the hot product-page query"
        case .lockChain: "lock chain from a migration"
        case .connectionLeak: "connection leak"
        case .idleInTransaction: "idle in transaction"
        case .slowPayment: "slow payment provider"
        case .cacheStampede: "cache stampede after invalidation"
        case .postgresRestart: "PostgreSQL restart"
        case .instanceDies: "a store instance dies"
        case .replicaLag: "replica lag"
        }
    }

    /// What the doctor should name first (any of these); empty when no database cause exists to name.
    public var expectedCauses: Set<Cause> {
        switch self {
        case .postmortem: [.missingIndex]
        case .lockChain: [.blockingChain]
        case .connectionLeak: [.connectionExhaustion]
        case .idleInTransaction: [.idleInTransaction, .blockingChain]
        case .slowPayment: [.slowPaymentProvider]
        case .cacheStampede: [.cacheStampede]
        case .postgresRestart: []
        case .instanceDies: []
        case .replicaLag: [.replicationLag]
        }
    }

    /// The profile the store runs in while the fault is in; the fix runs the guarded one.
    public var profileBefore: StoreProfile { self == .postmortem ? .naive : .guarded }

    /// Whether the fault needs the store's own parts (its payment simulator): not possible against a target.
    var needsOwnStore: Bool { self == .slowPayment }
    /// Whether the fault needs the private server (it restarts it) or a private cluster.
    var needsPrivateServer: Bool { self == .postgresRestart || needsCluster }
    /// Whether the drill runs the scale-out topology (`surge cluster up`'s parts): HAProxy, two
    /// `surge serve` processes, the primary and a streaming replica.
    public var needsCluster: Bool { self == .instanceDies || self == .replicaLag }
}
