@testable import Guard
import Testing

@Suite struct CacheStateTests {
    let t0 = ContinuousClock.now
    func at(_ s: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int(s * 1000)) }

    func cache(budget: Int = 1000, beta: Double = 0, admission: CacheState<Int, String>.Admission = .lru) -> CacheState<Int, String> {
        CacheState(.init(budgetBytes: budget, ttl: .seconds(10), staleFor: .seconds(5), earlyRefreshBeta: beta, admission: admission))
    }

    @Test func firstMissLoadsAndLaterMissesJoin() {
        var c = cache()
        guard case .load = c.lookup(1, now: at(0), random: 0.5) else { Issue.record("first miss must load"); return }
        for _ in 0..<1000 {
            guard case .join = c.lookup(1, now: at(0), random: 0.5) else { Issue.record("later misses must join"); return }
        }
        c.loaded(1, value: "one", bytes: 10, compute: .milliseconds(5), now: at(0.01))
        guard case .hit("one") = c.lookup(1, now: at(1), random: 0.5) else { Issue.record("then it is a hit"); return }
    }

    @Test func failedLoadLetsTheNextCallerLoadAgain() {
        var c = cache()
        _ = c.lookup(1, now: at(0), random: 0.5)
        c.failed(1)
        guard case .load = c.lookup(1, now: at(0), random: 0.5) else { Issue.record("a failure is not cached"); return }
    }

    @Test func staleEntryIsServedWhileExactlyOneCallerRefreshesIt() {
        var c = cache()
        _ = c.lookup(1, now: at(0), random: 1)
        c.loaded(1, value: "old", bytes: 10, compute: .milliseconds(5), now: at(0))
        guard case .refresh("old") = c.lookup(1, now: at(11), random: 1) else { Issue.record("past ttl: refresh"); return }
        guard case .hit("old") = c.lookup(1, now: at(11), random: 1) else { Issue.record("others get the stale value"); return }
        c.loaded(1, value: "new", bytes: 10, compute: .milliseconds(5), now: at(11.1))
        guard case .hit("new") = c.lookup(1, now: at(12), random: 1) else { Issue.record("the refreshed value"); return }
    }

    @Test func entryPastItsStaleWindowIsLoadedAgain() {
        var c = cache()
        _ = c.lookup(1, now: at(0), random: 1)
        c.loaded(1, value: "old", bytes: 10, compute: .milliseconds(5), now: at(0))
        guard case .load = c.lookup(1, now: at(15), random: 1) else { Issue.record("ttl + stale passed: load"); return }
        #expect(c.bytes == 0)
    }

    @Test func earlyRefreshGetsLikelierAsExpiryNears() {
        var c = cache(beta: 1)
        _ = c.lookup(1, now: at(0), random: 1)
        // An expensive value: 2 s to compute.
        c.loaded(1, value: "v", bytes: 10, compute: .seconds(2), now: at(0))
        // 9 s left; a draw of 0.5 gives 2 × ln 2 ≈ 1.4 s of lead: no refresh.
        guard case .hit = c.lookup(1, now: at(1), random: 0.5) else { Issue.record("too early"); return }
        // 1 s left: the same draw refreshes early, before anyone sees it expire.
        guard case .refresh = c.lookup(1, now: at(9), random: 0.5) else { Issue.record("early refresh"); return }
        // A draw of 1 never refreshes before the ttl (−ln 1 = 0).
        var d = cache(beta: 1)
        _ = d.lookup(1, now: at(0), random: 1)
        d.loaded(1, value: "v", bytes: 10, compute: .seconds(2), now: at(0))
        guard case .hit = d.lookup(1, now: at(9.9), random: 1) else { Issue.record("no lead at draw 1"); return }
    }

    @Test func byteBudgetEvictsTheLeastRecentlyUsed() {
        var c = cache(budget: 100)
        for key in 1...4 {
            _ = c.lookup(key, now: at(0), random: 1)
            c.loaded(key, value: "\(key)", bytes: 30, compute: .zero, now: at(0))
            if key == 3 { _ = c.lookup(1, now: at(0), random: 1) } // 1 is used again, so 2 is the oldest
        }
        #expect(c.bytes <= 100)
        #expect(c.peek(1) != nil)
        #expect(c.peek(2) == nil)
        #expect(c.peek(4) != nil)
    }

    @Test func valueLargerThanTheBudgetIsNotStored() {
        var c = cache(budget: 100)
        _ = c.lookup(1, now: at(0), random: 1)
        c.loaded(1, value: "big", bytes: 101, compute: .zero, now: at(0))
        #expect(c.peek(1) == nil)
        #expect(c.bytes == 0)
    }

    @Test func invalidationDuringALoadKeepsItsStaleResultOut() {
        var c = cache()
        _ = c.lookup(1, now: at(0), random: 1)
        c.invalidate(1)
        c.loaded(1, value: "read before the change", bytes: 10, compute: .zero, now: at(0))
        #expect(c.peek(1) == nil)
        guard case .load = c.lookup(1, now: at(0), random: 1) else { Issue.record("next read loads the new value"); return }
    }

    @Test func tinyLFUKeepsAFrequentEntryAgainstAOneHitWonder() {
        var c = cache(budget: 60, admission: .tinyLFU)
        for key in [1, 2] {
            _ = c.lookup(key, now: at(0), random: 1)
            c.loaded(key, value: "\(key)", bytes: 30, compute: .zero, now: at(0))
        }
        for _ in 0..<5 { _ = c.lookup(1, now: at(0), random: 1); _ = c.lookup(2, now: at(0), random: 1) }
        _ = c.lookup(3, now: at(0), random: 1)
        c.loaded(3, value: "3", bytes: 30, compute: .zero, now: at(0))
        #expect(c.peek(3) == nil, "a key seen once does not push out a key seen six times")
        #expect(c.peek(1) != nil && c.peek(2) != nil)
        for _ in 0..<10 { _ = c.lookup(3, now: at(0), random: 1) }
        c.loaded(3, value: "3", bytes: 30, compute: .zero, now: at(0))
        #expect(c.peek(3) != nil, "once it is asked for more often, it gets in")
    }
}

@Suite struct CacheStateServableTests {
    @Test func servableAnswersFreshAndStaleEntriesWithoutStartingARefresh() {
        var state = CacheState<Int, String>(.init(budgetBytes: 1000, ttl: .seconds(10), staleFor: .seconds(5), earlyRefreshBeta: 0))
        let start = ContinuousClock.now
        #expect(!state.canServe(1, now: start))
        #expect(state.servable(1, now: start) == nil)
        guard case .load = state.lookup(1, now: start, random: 0.5) else { Issue.record("expected a load"); return }
        #expect(!state.canServe(1, now: start), "a load in progress is nothing to serve")
        state.loaded(1, value: "one", bytes: 10, compute: .milliseconds(1), now: start)
        #expect(state.canServe(1, now: start + .seconds(9)))
        #expect(state.servable(1, now: start + .seconds(9)) == "one")
        // Stale (past the TTL, within staleFor): still servable, and no refresh was claimed by it.
        #expect(state.servable(1, now: start + .seconds(12)) == "one")
        guard case .refresh = state.lookup(1, now: start + .seconds(12), random: 0.5) else { Issue.record("the refresh is still due"); return }
        // Past TTL + staleFor: gone.
        #expect(!state.canServe(1, now: start + .seconds(16)))
        #expect(state.servable(1, now: start + .seconds(16)) == nil)
    }
}
