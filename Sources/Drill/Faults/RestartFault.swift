/// PostgreSQL stops (fast shutdown: every session ends) and starts again 3 s later.
struct RestartFault: Fault {
    func inject(_ context: FaultContext) async throws -> String {
        guard let restart = context.restartServer else { return "not injected: no private server to restart" }
        try await restart(.seconds(3))
        return "pg_ctl stop -m fast; 3 s down; pg_ctl start"
    }

    func remove(_ context: FaultContext) async throws -> String {
        "nothing to remove: the server is back"
    }
}
