@testable import Guard
import Testing

@Suite struct AdmissionControllerTests {
    func controller(limit: Int) -> AdmissionController {
        AdmissionController(Self.fixed(limit: limit, queueTimeout: [.checkout: .seconds(30), .cart: .seconds(30), .browse: .milliseconds(20), .bot: .zero]))
    }

    /// A limit that never moves, with these shares (none guaranteed by default) and queue timeouts.
    static func fixed(limit: Int, shares: [Priority: Double]? = nil, queueTimeout: [Priority: Duration]) -> AdmissionLimiter.Configuration {
        var c = AdmissionLimiter.Configuration()
        c.limit.initialLimit = limit
        c.limit.minimumLimit = limit
        c.limit.maximumLimit = limit
        if let shares { c.guaranteedShare = shares }
        c.queueTimeout = queueTimeout
        return c
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(_ condition: () -> Bool) async {
        for _ in 0..<10_000 where !condition() { await Task.yield() }
    }

    /// Cache-fill slots: at most `cacheFills` at once, for people's browsing only, given back on release.
    @Test func cacheFillSlotsAreBoundedAndForBrowsingOnly() async throws {
        var configuration = AdmissionLimiter.Configuration()
        configuration.cacheFills = 2
        let admission = AdmissionController(configuration)
        #expect(admission.mayFillCache(.browse))
        #expect(!admission.mayFillCache(.bot))
        #expect(!admission.acquireCacheFill(.bot))
        #expect(!admission.acquireCacheFill(.checkout))
        #expect(admission.acquireCacheFill(.browse))
        #expect(admission.acquireCacheFill(.browse))
        #expect(!admission.mayFillCache(.browse))
        #expect(!admission.acquireCacheFill(.browse))
        #expect(admission.cacheFillsInFlight == 2)
        admission.releaseCacheFill()
        #expect(admission.mayFillCache(.browse))
        #expect(admission.acquireCacheFill(.browse))
        // Many at once never take more than the bound.
        admission.releaseCacheFill()
        admission.releaseCacheFill()
        let taken = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 { group.addTask { admission.acquireCacheFill(.browse) } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(taken == 2)
        var off = AdmissionLimiter.Configuration()
        off.cacheFills = 0
        #expect(!AdmissionController(off).acquireCacheFill(.browse))
    }

    /// While buyers wait for admission a fill runs only on credit, earned per request admission
    /// completes (`cacheFillShare`): fills never take the database time buyers are waiting for.
    @Test func fillsWaitForCreditWhileBuyersQueue() async throws {
        var c = Self.fixed(limit: 1, shares: [.checkout: 0, .cart: 0, .browse: 0, .bot: 0],
                           queueTimeout: [.checkout: .seconds(30), .cart: .seconds(30), .browse: .zero, .bot: .zero])
        c.cacheFills = 2
        c.cacheFillShare = 0.5
        let admission = AdmissionController(c)
        let first = try await admission.acquire(.checkout)
        #expect(admission.mayFillCache(.browse))       // nobody waits: only the slots bound fills
        try await withThrowingTaskGroup(of: AdmissionController.Permit.self) { group in
            for _ in 0..<4 { group.addTask { try await admission.acquire(.cart) } }
            await eventually { admission.queueLength == 4 }
            #expect(admission.queueLength == 4)
            #expect(!admission.mayFillCache(.browse))
            #expect(!admission.acquireCacheFill(.browse))
            admission.release(first)                     // half a fill earned; a cart is admitted
            var permit = try #require(try await group.next())
            #expect(!admission.mayFillCache(.browse))
            admission.release(permit)                    // one fill earned
            permit = try #require(try await group.next())
            #expect(admission.mayFillCache(.browse))
            #expect(admission.acquireCacheFill(.browse))
            #expect(!admission.acquireCacheFill(.browse)) // spent, and carts still wait
            admission.releaseCacheFill()
            for _ in 0..<2 {
                admission.release(permit)
                permit = try #require(try await group.next())
            }
            admission.release(permit)
            #expect(admission.queueLength == 0)
            // Nobody waits: two fills at once again, whatever the credit.
            #expect(admission.acquireCacheFill(.browse))
            #expect(admission.acquireCacheFill(.browse))
            #expect(admission.cacheFillsInFlight == 2)
        }
    }

    /// Under overload a miss the caller can fill takes its slot in the verdict (`.fill`), and one that
    /// finds no slot is shed there, not passed on to be refused later at full cost.
    @Test func theVerdictReservesTheFillSlotOrShedsTheMiss() async throws {
        var configuration = Self.fixed(limit: 1, shares: [.checkout: 1, .cart: 0, .browse: 0, .bot: 0],
                                       queueTimeout: [.checkout: .zero, .cart: .zero, .browse: .zero, .bot: .zero])
        configuration.cacheFills = 1
        let admission = AdmissionController(configuration)
        #expect(admission.browseVerdict(.browse, fromBytes: true, reserveFill: true, cacheHolds: { false }, cacheKeeps: { true }) == .admit)
        let checkout = try await admission.acquire(.checkout)
        #expect(admission.browseVerdict(.browse, fromBytes: true, reserveFill: true, cacheHolds: { true }, cacheKeeps: { true }) == .fromCache)
        #expect(admission.browseVerdict(.browse, fromBytes: true, reserveFill: true, cacheHolds: { false }, cacheKeeps: { true }) == .fill)
        #expect(admission.cacheFillsInFlight == 1)
        #expect(admission.browseVerdict(.browse, fromBytes: true, reserveFill: true, cacheHolds: { false }, cacheKeeps: { true }) == .shed)
        #expect(admission.browseVerdict(.browse, fromBytes: true, reserveFill: true, cacheHolds: { false }, cacheKeeps: { false }) == .shed)
        #expect(admission.browseVerdict(.bot, fromBytes: true, reserveFill: true, cacheHolds: { false }, cacheKeeps: { true }) == .shed)
        admission.releaseCacheFill()
        // Without a reservation the miss goes on to `acquire`, which takes a slot or sheds it.
        #expect(admission.browseVerdict(.browse, fromBytes: false, cacheHolds: { false }, cacheKeeps: { true }) == .admit)
        #expect(admission.cacheFillsInFlight == 0)
        admission.release(checkout)
    }

    @Test func parkedCheckoutIsAdmittedWhenAPermitIsReleased() async throws {
        let admission = controller(limit: 2)
        let first = try await admission.acquire(.checkout)
        let second = try await admission.acquire(.checkout)
        // Checkout's guaranteed share is 1 of 2, already used: the third parks.
        let third = Task { try await admission.acquire(.checkout) }
        await eventually { admission.queueLength == 1 }
        #expect(admission.queueLength == 1)
        admission.release(first)
        let permit = try await third.value
        #expect(admission.inFlight == 2)
        admission.release(second)
        admission.release(permit)
        #expect(admission.inFlight == 0)
    }

    @Test func parkedBrowseIsShedWhenItsQueueTimeRunsOut() async throws {
        let admission = controller(limit: 1)
        let held = try await admission.acquire(.browse)
        await #expect(throws: Overloaded.self) { try await admission.acquire(.browse) }
        await #expect(throws: Overloaded.self) { try await admission.acquire(.bot) }
        #expect(admission.queueLength == 0)
        admission.release(held)
        let again = try await admission.acquire(.bot)
        admission.release(again)
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let admission = controller(limit: 2)
        let a = try await admission.acquire(.cart)
        let b = try await admission.acquire(.cart)
        let waiter = Task { try await admission.acquire(.cart) }
        await eventually { admission.queueLength == 1 }
        waiter.cancel()
        await #expect(throws: Overloaded.self) { try await waiter.value }
        #expect(admission.queueLength == 0)
        admission.release(a)
        admission.release(b)
        #expect(admission.inFlight == 0)
    }

    @Test func hundredsOfConcurrentRequestsNeverLeakPermits() async throws {
        let admission = controller(limit: 8)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                group.addTask {
                    let priority = Priority.allCases[index % 4]
                    guard let permit = try? await admission.acquire(priority) else { return false }
                    await Task.yield()
                    admission.release(permit)
                    return true
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count == 400)
        #expect(outcomes.contains(true))
        #expect(admission.inFlight == 0)
        #expect(admission.queueLength == 0)
    }
}
