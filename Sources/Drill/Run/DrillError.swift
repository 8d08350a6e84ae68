/// Why a drill could not run; each says what to do.
public enum DrillError: Error, CustomStringConvertible, Equatable {
    case storeDidNotStart
    case needsOwnStore(DrillName)
    case needsPrivateServer(DrillName)
    case targetUnreachable(String)

    public var description: String {
        switch self {
        case .storeDidNotStart:
            "the drill's store did not start (see the log above)"
        case .needsOwnStore(let name):
            "drill \(name.rawValue) turns the store's own payment simulator: run it without --target (a private store)"
        case .needsPrivateServer(let name):
            "drill \(name.rawValue) restarts PostgreSQL: run it without --target/--database-url (a private server)"
        case .targetUnreachable(let detail):
            "nothing answers at \(detail): check --target (the store's base URL, e.g. http://127.0.0.1:8080)"
        }
    }
}
