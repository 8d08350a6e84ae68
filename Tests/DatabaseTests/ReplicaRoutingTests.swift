import Database
import Testing

@Suite struct ReplicaLagEstimatorTests {
    let t0 = ContinuousClock.now

    @Test func aReplicaAtThePrimarysPositionIsNotBehindHoweverIdleThePrimary() {
        var estimator = ReplicaLagEstimator()
        estimator.primary(at: t0, lsn: 1000)
        // Nothing written for a minute: a replay timestamp would call this a minute of lag.
        #expect(estimator.lag(replayed: 1000, now: t0 + .seconds(60)) == .zero)
    }

    @Test func lagIsTheAgeOfTheNewestPrimaryPositionTheReplicaHasPassed() {
        var estimator = ReplicaLagEstimator()
        estimator.primary(at: t0, lsn: 100)
        estimator.primary(at: t0 + .milliseconds(250), lsn: 200)
        estimator.primary(at: t0 + .milliseconds(500), lsn: 300)
        let now = t0 + .milliseconds(600)
        #expect(estimator.lag(replayed: 250, now: now) == .milliseconds(350))
        #expect(estimator.lag(replayed: 200, now: now) == .milliseconds(350))
        #expect(estimator.lag(replayed: 100, now: now) == .milliseconds(600))
        // Behind every sample kept (a replica just started, or far behind): unknown, so not used.
        #expect(estimator.lag(replayed: 50, now: now) == nil)
        // ...but at least the oldest sample's age behind, which the lag gauge reports.
        #expect(estimator.minimumLag(replayed: 50, now: now) == .milliseconds(600))
        #expect(estimator.minimumLag(replayed: 100, now: now) == nil, "lag knows it")
    }

    @Test func nothingIsKnownBeforeThePrimaryIsRead() {
        #expect(ReplicaLagEstimator().lag(replayed: 5, now: t0) == nil)
    }

    @Test func aPrimaryWhosePositionWentBackIsANewPrimary() {
        var estimator = ReplicaLagEstimator()
        estimator.primary(at: t0, lsn: 900)
        estimator.primary(at: t0 + .seconds(1), lsn: 100)
        #expect(estimator.lag(replayed: 100, now: t0 + .seconds(2)) == .zero)
    }

    @Test(arguments: [("0/0", UInt64(0)), ("16/B374D848", UInt64(0x16) << 32 | 0xB374D848), ("FFFFFFFF/FFFFFFFF", UInt64.max)])
    func lsnTextParses(text: String, value: UInt64) {
        #expect(ReplicaLagEstimator.parseLSN(text) == value)
    }

    @Test(arguments: ["", "16", "x/1", "1/2/3", "100000000/0"])
    func badLSNTextIsRefused(text: String) {
        #expect(ReplicaLagEstimator.parseLSN(text) == nil)
    }
}

@Suite struct ReplicaRoutingTests {
    let t0 = ContinuousClock.now
    let configuration = ReplicaRouting.Configuration(maximumLag: .seconds(1), staleAfter: .seconds(2))

    @Test func readsGoToThePrimaryUntilAReplicaIsKnownHealthy() {
        var routing = ReplicaRouting(replicas: 2, configuration: configuration)
        #expect(routing.choose(at: t0) == nil)
        routing.observe(replica: 1, .lag(.milliseconds(10)), at: t0)
        #expect(routing.choose(at: t0) == 1)
    }

    @Test func usableReplicasTakeReadsInTurn() {
        var routing = ReplicaRouting(replicas: 3, configuration: configuration)
        for replica in 0..<3 { routing.observe(replica: replica, .lag(.zero), at: t0) }
        let chosen = (0..<6).map { _ in routing.choose(at: t0) }
        #expect(chosen == [0, 1, 2, 0, 1, 2])
    }

    @Test func aReplicaBehindTheLimitOrDownOrUnheardOfIsSkipped() {
        var routing = ReplicaRouting(replicas: 3, configuration: configuration)
        routing.observe(replica: 0, .lag(.milliseconds(1001)), at: t0)
        routing.observe(replica: 1, .unusable("unreachable"), at: t0)
        routing.observe(replica: 2, .lag(.milliseconds(1000)), at: t0)
        #expect((0..<4).map { _ in routing.choose(at: t0) } == [2, 2, 2, 2])
        // The monitor stopped reporting: its last word no longer counts.
        #expect(routing.choose(at: t0 + .milliseconds(2001)) == nil)
    }

    @Test func afterAWriteReadsStayOnThePrimaryUntilReplicasCanHaveIt() {
        var routing = ReplicaRouting(replicas: 1, configuration: configuration)
        routing.observe(replica: 0, .lag(.zero), at: t0)
        routing.wrote(at: t0)
        #expect(routing.choose(at: t0 + .milliseconds(1249)) == nil)
        routing.observe(replica: 0, .lag(.zero), at: t0 + .milliseconds(1250))
        #expect(routing.choose(at: t0 + .milliseconds(1250)) == 0)
    }

    @Test func randomObservationsNeverRouteToAnUnusableReplica() {
        var generator = SystemRandomNumberGenerator()
        var routing = ReplicaRouting(replicas: 4, configuration: configuration)
        var now = t0
        for _ in 0..<5_000 {
            now = now + .milliseconds(Int64(generator.next() % 300))
            let replica = Int(generator.next() % 4)
            switch generator.next() % 3 {
            case 0: routing.observe(replica: replica, .unusable("down"), at: now)
            case 1: routing.observe(replica: replica, .lag(.milliseconds(Int64(generator.next() % 2_000))), at: now)
            default: if generator.next() % 20 == 0 { routing.wrote(at: now) }
            }
            if let chosen = routing.choose(at: now) {
                #expect(routing.usable(chosen, at: now))
            }
        }
    }
}
