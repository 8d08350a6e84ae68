/// Why a drill could not run; each says what to do.
public enum DrillError: Error, CustomStringConvertible, Equatable {
    case storeDidNotStart
    case needsOwnStore(DrillName)
    case needsPrivateServer(DrillName)
    case targetUnreachable(String)
    case needsSurgeExecutable(DrillName)
    case faultStayed(String)

    public var description: String {
        switch self {
        case .storeDidNotStart:
            "the drill's store did not start (see the log above)"
        case .needsOwnStore(let name):
            "drill \(name.rawValue) turns the store's own payment simulator: run it without --target (a private store)"
        case .needsPrivateServer(let name) where name.needsCluster:
            "drill \(name.rawValue) runs its own cluster (HAProxy, two store instances, a replica): run it without --target/--database-url"
        case .needsPrivateServer(let name):
            "drill \(name.rawValue) restarts PostgreSQL: run it without --target/--database-url (a private server)"
        case .faultStayed(let detail):
            "the drill could not remove its fault: \(detail)"
        case .needsSurgeExecutable(let name):
            "drill \(name.rawValue) starts `surge serve` processes: run it from the surge executable"
        case .targetUnreachable(let detail):
            "nothing answers at \(detail): check --target (the store's base URL, e.g. http://127.0.0.1:8080)"
        }
    }
}
