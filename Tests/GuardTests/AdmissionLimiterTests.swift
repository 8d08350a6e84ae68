@testable import Guard
import Reproducible
import Testing

@Suite struct AdmissionLimiterTests {
    let t0 = ContinuousClock.now

    func limiter(limit: Int = 10, queue: Int = 4) -> AdmissionLimiter {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = limit
        c.limit.minimumLimit = 1
        c.maximumQueue = queue
        return AdmissionLimiter(c)
    }

    func at(_ ms: Int) -> ContinuousClock.Instant { t0 + .milliseconds(ms) }

    @Test func admitsEveryoneBelowTheLimit() {
        var l = limiter()
        for id in 0..<10 { let r1 = l.acquire(id: UInt64(id), priority: .bot, now: at(0)); #expect(r1 == .admit) }
        #expect(l.totalInFlight == 10)
    }

    @Test func botsAreRejectedAtOnceWhenFullAndNeverQueued() {
        var l = limiter()
        for id in 0..<10 { _ = l.acquire(id: UInt64(id), priority: .browse, now: at(0)) }
        let r2 = l.acquire(id: 99, priority: .bot, now: at(0))
        #expect(r2 == .reject)
        #expect(l.queueLength == 0)
    }

    @Test func checkoutIsAdmittedUnderItsGuaranteedShareWhenBrowseFillsTheLimit() {
        var l = limiter()
        for id in 0..<10 { _ = l.acquire(id: UInt64(id), priority: .browse, now: at(0)) }
        // 50% of 10 is guaranteed to checkout, 25% (2) to cart.
        for id in 100..<105 { let r3 = l.acquire(id: UInt64(id), priority: .checkout, now: at(0)); #expect(r3 == .admit) }
        for id in 200..<202 { let r4 = l.acquire(id: UInt64(id), priority: .cart, now: at(0)); #expect(r4 == .admit) }
        let r5 = l.acquire(id: 105, priority: .checkout, now: at(0))
        #expect(r5 != .admit)
        let r6 = l.acquire(id: 203, priority: .browse, now: at(0))
        #expect(r6 != .admit)
    }

    @Test func sharesAreNotEnforcedBelowTheLimit() {
        var l = limiter()
        for id in 0..<10 { let r7 = l.acquire(id: UInt64(id), priority: .browse, now: at(0)); #expect(r7 == .admit) }
        #expect(l.inFlight[.browse] == 10, "browse may use the whole limit while nobody else needs it")
    }

    @Test func queueIsBoundedAndEvictsTheLowestPriorityForAHigherOne() {
        var l = limiter(limit: 2, queue: 2)
        _ = l.acquire(id: 1, priority: .checkout, now: at(0))
        _ = l.acquire(id: 2, priority: .checkout, now: at(0))
        let r8 = l.acquire(id: 3, priority: .browse, now: at(0))
        #expect(r8 == .enqueue(deadline: at(50), evicted: nil))
        let r9 = l.acquire(id: 4, priority: .browse, now: at(1))
        #expect(r9 == .enqueue(deadline: at(51), evicted: nil))
        let r10 = l.acquire(id: 5, priority: .browse, now: at(2))
        #expect(r10 == .reject, "full queue, nobody worth less")
        let r11 = l.acquire(id: 6, priority: .cart, now: at(3))
        #expect(r11 == .enqueue(deadline: at(4503), evicted: 4), "the lowest priority's newest waiter leaves")
        #expect(l.queueLength == 2)
    }

    @Test func releaseAdmitsHighestPriorityThenOldestWaiter() {
        var l = limiter(limit: 2, queue: 8)
        _ = l.acquire(id: 1, priority: .checkout, now: at(0))
        _ = l.acquire(id: 2, priority: .checkout, now: at(0))
        _ = l.acquire(id: 10, priority: .browse, now: at(1))
        _ = l.acquire(id: 11, priority: .browse, now: at(2))
        _ = l.acquire(id: 20, priority: .cart, now: at(3))
        var actions = l.release(priority: .checkout, rtt: .milliseconds(5), dropped: false, inFlightAtStart: 2, now: at(5))
        #expect(actions.admit == [20])
        actions = l.release(priority: .checkout, rtt: .milliseconds(5), dropped: false, inFlightAtStart: 2, now: at(6))
        #expect(actions.admit == [10], "FIFO within a priority")
        #expect(l.queueLength == 1)
    }

    @Test func waitersExpireAfterTheirQueueTimeout() {
        var l = limiter(limit: 1, queue: 8)
        _ = l.acquire(id: 1, priority: .checkout, now: at(0))
        _ = l.acquire(id: 2, priority: .browse, now: at(0))
        _ = l.acquire(id: 3, priority: .checkout, now: at(0))
        let r12 = l.expire(now: at(49))
        #expect(r12.isEmpty)
        let r13 = l.expire(now: at(50))
        #expect(r13 == [2])
        let actions = l.release(priority: .checkout, rtt: .milliseconds(9000), dropped: false, inFlightAtStart: 1, now: at(9000))
        #expect(actions.reject == [3], "an expired waiter is rejected, never admitted late")
        #expect(actions.admit.isEmpty)
        #expect(l.totalInFlight == 0)
    }

    @Test func cancelledWaiterLeavesTheQueue() {
        var l = limiter(limit: 1)
        _ = l.acquire(id: 1, priority: .cart, now: at(0))
        _ = l.acquire(id: 2, priority: .cart, now: at(0))
        let r14 = l.cancel(id: 2)
        #expect(r14)
        let r15 = l.cancel(id: 2)
        #expect(!r15)
        let r16 = l.release(priority: .cart, rtt: .milliseconds(1), dropped: false, inFlightAtStart: 1, now: at(1))
        #expect(r16.isEmpty)
    }

    @Test func inFlightNeverExceedsLimitPlusGuaranteedSharesUnderRandomEvents() {
        var l = limiter(limit: 8, queue: 6)
        var generator = SplitMix64(seed: 7)
        var running: [(UInt64, Priority)] = []
        var queued: [UInt64: Priority] = [:]
        var next: UInt64 = 0
        var maxLimit = l.limit
        for step in 0..<5_000 {
            let now = at(step)
            if generator.next() % 2 == 0 || running.isEmpty {
                next += 1
                let priority = Priority.allCases[Int(generator.next() % 4)]
                switch l.acquire(id: next, priority: priority, now: now) {
                case .admit: running.append((next, priority))
                case .enqueue(_, let evicted):
                    queued[next] = priority
                    if let evicted { #expect(queued.removeValue(forKey: evicted) != nil) }
                case .reject: break
                }
            } else {
                let index = Int(generator.next() % UInt64(running.count))
                let (_, priority) = running.remove(at: index)
                let actions = l.release(priority: priority, rtt: .milliseconds(Int(generator.next() % 20) + 1),
                                        dropped: false, inFlightAtStart: l.totalInFlight, now: now)
                for id in actions.admit { running.append((id, queued.removeValue(forKey: id) ?? .bot)) }
                for id in actions.reject { #expect(queued.removeValue(forKey: id) != nil) }
            }
            maxLimit = max(maxLimit, l.limit)
            #expect(l.totalInFlight == running.count)
            #expect(l.queueLength == queued.count)
            #expect(l.queueLength <= 6)
            #expect(l.totalInFlight <= 2 * maxLimit)
            #expect(l.inFlight[.bot, default: 0] <= maxLimit)
        }
    }
}

@Suite struct WouldRejectTests {
    /// `wouldReject` must agree with what `acquire` then does, in every state a random walk reaches.
    @Test func agreesWithAcquireInEveryStateOfARandomWalk() {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = 6
        c.limit.minimumLimit = 1
        c.maximumQueue = 3
        var limiter = AdmissionLimiter(c)
        var random = SystemRandomNumberGenerator()
        let t0 = ContinuousClock.now
        var admitted: [Priority] = []
        var checked = 0, rejections = 0, overloadedSteps = 0
        for step in 0..<2_000 {
            let now = t0 + .milliseconds(step)
            let priority = Priority.allCases.randomElement(using: &random)!
            if Bool.random(using: &random) || admitted.isEmpty {
                let predicted = limiter.wouldReject(priority, now: now)
                if limiter.isOverloaded(now) { overloadedSteps += 1 }
                let decision = limiter.acquire(id: UInt64(step), priority: priority, now: now)
                #expect(predicted == (decision == .reject), "step \(step): \(priority), decision \(decision)")
                checked += 1
                if decision == .reject { rejections += 1 }
                if decision == .admit { admitted.append(priority) }
            } else {
                let finished = admitted.remove(at: Int.random(in: 0..<admitted.count, using: &random))
                _ = limiter.releaseWithoutSample(priority: finished, now: now)
            }
        }
        // The walk visited both answers, and the overloaded mode, or it proved nothing.
        #expect(rejections > 0 && rejections < checked)
        #expect(overloadedSteps > 0)
    }
}

@Suite struct StandingQueueTests {
    let t0 = ContinuousClock.now
    func at(_ ms: Int) -> ContinuousClock.Instant { t0 + .milliseconds(ms) }

    func fullLimiter() -> AdmissionLimiter {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = 4
        c.limit.minimumLimit = 4
        c.guaranteedShare = [.checkout: 0, .cart: 0, .browse: 0, .bot: 0]
        var limiter = AdmissionLimiter(c)
        for id in 0..<4 { _ = limiter.acquire(id: UInt64(id), priority: .cart, now: at(0)) }
        return limiter
    }

    @Test func aBurstQueuesBrowsingButAStandingQueueShedsItAtOnce() {
        var limiter = fullLimiter()
        // A burst: browsing waits (up to 50 ms).
        guard case .enqueue = limiter.acquire(id: 10, priority: .browse, now: at(0)) else { Issue.record("not queued"); return }
        #expect(!limiter.isOverloaded(at(50)))
        // The queue never drains: 100 ms later it is a standing queue, and browsing is refused at once
        // while checkout may still wait.
        guard case .enqueue = limiter.acquire(id: 11, priority: .checkout, now: at(40)) else { Issue.record("not queued"); return }
        #expect(limiter.acquire(id: 12, priority: .browse, now: at(120)) == .reject)
        #expect(limiter.isOverloaded(at(120)))
        guard case .enqueue = limiter.acquire(id: 13, priority: .checkout, now: at(130)) else { Issue.record("checkout refused"); return }
    }

    @Test func overloadEndsAHoldAfterTheLastArrivalThatFoundTheLimitFull() {
        var limiter = fullLimiter()
        _ = limiter.acquire(id: 10, priority: .checkout, now: at(0))
        #expect(limiter.acquire(id: 11, priority: .browse, now: at(150)) == .reject)   // standing: overloaded
        // Everyone finishes; the queue empties.
        for _ in 0..<4 { _ = limiter.releaseWithoutSample(priority: .cart, now: at(200)) }
        #expect(limiter.queueLength == 0)
        _ = limiter.releaseWithoutSample(priority: .checkout, now: at(200))
        #expect(limiter.isOverloaded(at(1_100)))        // within the hold of the arrival at 150 ms
        #expect(!limiter.isOverloaded(at(1_151)))       // the hold ran out, nothing renewed it
        // Sheds on the HTTP layer renew the hold as acquire does.
        var shedding = fullLimiter()
        _ = shedding.acquire(id: 10, priority: .checkout, now: at(0))
        #expect(shedding.wouldReject(.browse, now: at(150)))
        shedding.noteShed(now: at(150))
        shedding.noteShed(now: at(1_000))
        #expect(shedding.isOverloaded(at(1_900)))
    }
}

@Suite struct OverloadTimeoutTests {
    @Test func overloadShortensOnlyTheListedPriorities() {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = 2
        c.limit.minimumLimit = 2
        c.guaranteedShare = [.checkout: 0, .cart: 0, .browse: 0, .bot: 0]
        c.queueTimeout[.checkout] = .seconds(20)
        var limiter = AdmissionLimiter(c)
        let t0 = ContinuousClock.now
        for id in 0..<2 { _ = limiter.acquire(id: UInt64(id), priority: .browse, now: t0) }
        _ = limiter.acquire(id: 2, priority: .browse, now: t0)            // queued: the queue starts standing
        let later = t0 + .milliseconds(150)
        #expect(limiter.isOverloaded(later))
        #expect(limiter.queueTimeout(.browse, now: later) == .zero)
        #expect(limiter.queueTimeout(.checkout, now: later) == .seconds(20))  // the configured wait, not cut
        #expect(limiter.queueTimeout(.cart, now: later) == c.queueTimeout[.cart])
    }
}

@Suite struct AdmissionSuspensionTests {
    @Test func aSuspendedRequestsSlotGoesToTheNextWaiterAndItComesBackAboveTheLimit() {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = 2
        c.limit.minimumLimit = 2
        c.limit.maximumLimit = 2
        let t0 = ContinuousClock.now
        var l = AdmissionLimiter(c)
        #expect(l.acquire(id: 1, priority: .checkout, now: t0) == .admit)
        #expect(l.acquire(id: 2, priority: .checkout, now: t0) == .admit)
        guard case .enqueue = l.acquire(id: 3, priority: .cart, now: t0) else { Issue.record("the cart should wait"); return }
        // The first checkout waits on the payment provider: the waiting cart gets its slot.
        let actions = l.suspend(priority: .checkout, now: t0 + .milliseconds(1))
        #expect(actions.admit == [3])
        #expect(l.totalInFlight == 2)
        // The checkout comes back to a full limit and runs anyway.
        l.resume(priority: .checkout)
        #expect(l.totalInFlight == 3)
        #expect(l.inFlight[.checkout] == 2)
    }

    @Test func outsideGivesTheSlotBackForItsBodyAndLeavesItOutOfTheSample() async throws {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = 4
        let controller = AdmissionController(c)
        let permit = try await controller.acquire(.checkout)
        let scope = AdmissionScope(controller: controller, permit: permit)
        #expect(controller.inFlight == 1)
        let during = try await AdmissionScope.$current.withValue(scope) {
            try await AdmissionScope.outside {
                try await Task.sleep(for: .milliseconds(20))
                return controller.inFlight
            }
        }
        #expect(during == 0)
        #expect(controller.inFlight == 1)
        #expect(scope.suspended >= .milliseconds(20))
        controller.release(permit, excluding: scope.suspended)
        #expect(controller.inFlight == 0)
        // Outside any admitted request it only runs the body.
        #expect(try await AdmissionScope.outside { controller.inFlight } == 0)
    }
}

/// A flash sale is a burst, not overload: buyers arriving together wait their turn instead of being
/// refused (issue 17: 80 simultaneous checkouts on an idle store got 21 × 503).
@Suite struct BurstAdmissionTests {
    let t0 = ContinuousClock.now
    func at(_ ms: Int) -> ContinuousClock.Instant { t0 + .milliseconds(ms) }

    /// A limiter of `limit` that has learnt a round trip of `rtt` (ten windows at that latency).
    func warmed(limit: Int, rtt: Duration) -> AdmissionLimiter {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = limit
        c.limit.minimumLimit = limit
        c.limit.maximumLimit = limit
        var l = AdmissionLimiter(c)
        var ms = 0
        for _ in 0..<10 {
            for i in 0..<10 {
                _ = l.acquire(id: UInt64(1_000_000 + ms * 10 + i), priority: .browse, now: at(ms))
                _ = l.release(priority: .browse, rtt: rtt, dropped: false, inFlightAtStart: 1, now: at(ms + (i == 9 ? 101 : 0)))
            }
            ms += 102
        }
        #expect(l.gradient.lastWindowSeconds != nil)
        return l
    }

    @Test(arguments: [Priority.checkout, .cart], [50, 300, 1_000])
    func aBurstOfBuyersIsQueuedAndServedNotRefused(priority: Priority, buyers: Int) {
        var l = warmed(limit: 20, rtt: .milliseconds(5))
        let start = 2_000
        var running: [Int] = []   // finishing times (ms) of admitted requests
        var admitted = 0, refused = 0
        for id in 0..<buyers {
            switch l.acquire(id: UInt64(id), priority: priority, now: at(start)) {
            case .admit: admitted += 1; running.append(start + 5)
            case .enqueue(_, let evicted): #expect(evicted == nil)
            case .reject: refused += 1
            }
        }
        #expect(refused == 0)
        // Each admitted request takes 5 ms; every release admits the next waiter.
        var now = start
        while !running.isEmpty {
            running.sort()
            now = running.removeFirst()
            let actions = l.release(priority: priority, rtt: .milliseconds(5), dropped: false, inFlightAtStart: 20, now: at(now))
            #expect(actions.reject.isEmpty, "a waiter timed out at \(now - start) ms")
            admitted += actions.admit.count
            running += actions.admit.map { _ in now + 5 }
        }
        #expect(admitted == buyers)
        #expect(l.totalInFlight == 0 && l.queueLength == 0)
    }

    @Test func aWaitLongerThanTheQueueTimeoutIsRefusedAtOnce() {
        // 4 at a time, 100 ms each: 40 checkouts a second. A checkout may wait 8 s, so the 321st
        // waiter (8.025 s away) is refused on arrival rather than after waiting 8 s for nothing.
        var l = warmed(limit: 4, rtt: .milliseconds(100))
        for id in 0..<4 { #expect(l.acquire(id: UInt64(id), priority: .checkout, now: at(2_000)) == .admit) }
        for id in 4..<324 {
            guard case .enqueue = l.acquire(id: UInt64(id), priority: .checkout, now: at(2_000)) else {
                Issue.record("waiter \(id - 4) refused"); return
            }
        }
        #expect(l.wouldReject(.checkout, now: at(2_000)))
        #expect(l.acquire(id: 999, priority: .checkout, now: at(2_000)) == .reject)
        // A cart still gets its guaranteed share of the limit; beyond it, it would wait behind every
        // checkout (longer than a cart's 4.5 s) and is refused at once too.
        #expect(l.acquire(id: 1_000, priority: .cart, now: at(2_000)) == .admit)
        #expect(l.acquire(id: 1_001, priority: .cart, now: at(2_000)) == .reject)
    }
}
