import Guard
import Testing

@Suite struct SoldOutFilterTests {
    @Test func entriesExpireAfterTheirTTL() {
        let filter = SoldOutFilter(ttl: .seconds(2))
        let now = ContinuousClock.now
        filter.markSoldOut(7, now: now)
        #expect(filter.isSoldOut(7, now: now + .seconds(1)))
        #expect(!filter.isSoldOut(8, now: now + .seconds(1)))
        #expect(!filter.isSoldOut(7, now: now + .seconds(3)))
        #expect(filter.count == 0, "an expired entry is dropped when touched")
    }

    @Test func clearForgetsEverything() {
        let filter = SoldOutFilter()
        for id in 0..<10 { filter.markSoldOut(Int64(id)) }
        #expect(filter.firstSoldOut([42, 3, 5]) == 3)
        filter.clear()
        #expect(filter.firstSoldOut(0..<10) == nil)
    }

    @Test func staysWithinCapacity() {
        let filter = SoldOutFilter(ttl: .seconds(60), capacity: 100)
        let now = ContinuousClock.now
        for id in 0..<500 { filter.markSoldOut(Int64(id), now: now) }
        #expect(filter.count == 100)
        // Once the old entries expire, new ones get room again.
        filter.markSoldOut(1_000, now: now + .seconds(61))
        #expect(filter.isSoldOut(1_000, now: now + .seconds(62)))
        #expect(filter.count == 1)
    }
}
