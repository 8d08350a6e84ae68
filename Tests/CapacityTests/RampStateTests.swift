import Testing
@testable import Capacity

@Suite struct RampStateTests {
    static func step(_ index: Int, users: Int, throughput: Double, errorRate: Double = 0, generatorLimited: Bool = false) -> StepMeasurement {
        StepMeasurement(step: index, concurrency: users, durationSeconds: 1, requests: Int(throughput), successes: Int(throughput * (1 - errorRate)),
                        errorRate: errorRate, throughput: throughput, meanSeconds: 0.01, p50Seconds: 0.01, p95Seconds: 0.02,
                        p99Seconds: 0.03, generatorLimited: generatorLimited)
    }

    /// Records steps on the exact curve of `model` until the ramp stops.
    static func drive(_ state: inout RampState, _ model: USLModel) {
        while let users = state.nextLevel {
            state.record(step(state.steps.count + 1, users: users, throughput: model.throughput(at: Double(users))))
        }
    }

    @Test func stopsOnceMeasuredThroughputReachesTheFractionOfThePrediction() throws {
        let model = USLModel(sigma: 0.03, kappa: 0.002, lambda: 100)
        var state = RampState(stopAtFraction: 0.5)
        Self.drive(&state, model)
        #expect(state.stopReason == .reachedFraction)
        let peak = try #require(model.peakThroughput)
        let highest = state.steps.map(\.throughput).max() ?? 0
        #expect(highest >= 0.5 * peak && highest < 0.8 * peak)
        #expect(state.steps.count >= RampState.minimumStepsForPrediction)
        #expect(abs((state.prediction?.peakThroughput ?? 0) / peak - 1) < 1e-3)
    }

    @Test func validateKeepsTheRampGoingToSaturation() {
        let model = USLModel(sigma: 0.03, kappa: 0.002, lambda: 100)
        var state = RampState(stopAtFraction: 0.5, validate: true)
        Self.drive(&state, model)
        #expect(state.prediction != nil)
        #expect(state.stopReason == .saturated)
        // Two steps more than 10% below the best one, and the best is near N* ≈ 22.
        let best = state.steps.max { $0.throughput < $1.throughput }
        #expect(best?.concurrency == 24)
        #expect(state.steps.suffix(2).allSatisfy { $0.throughput < 0.9 * (best?.throughput ?? 0) })
        #expect(state.steps.count > state.predictionSteps)
    }

    @Test func aFirstStepWithMostlyErrorsMeansTheTargetIsFailing() {
        var state = RampState()
        state.record(Self.step(1, users: 1, throughput: 0, errorRate: 1))
        #expect(state.stopReason == .targetFailing)
        #expect(state.nextLevel == nil)
    }

    @Test func aGeneratorLimitedStepStopsTheRamp() {
        var state = RampState()
        state.record(Self.step(1, users: 1, throughput: 100))
        state.record(Self.step(2, users: 2, throughput: 190, generatorLimited: true))
        #expect(state.stopReason == .generatorLimited)
    }

    @Test func errorsAboveTwentyPercentAfterTheFirstStepMeanSaturation() {
        var state = RampState()
        state.record(Self.step(1, users: 1, throughput: 100))
        state.record(Self.step(2, users: 2, throughput: 150, errorRate: 0.3))
        #expect(state.stopReason == .saturated)
    }

    @Test func withoutAFractionTheRampRunsEveryLevelUntilSaturation() {
        var state = RampState(levels: [1, 2, 3, 4, 6])
        Self.drive(&state, USLModel(sigma: 0.01, kappa: 0, lambda: 10))
        #expect(state.stopReason == .levelsExhausted)
        #expect(state.steps.count == 5)
    }

    @Test func limitingResourceIsTheEarliestSaturatedOne() {
        var steps = (1...6).map { Self.step($0, users: $0 * 2, throughput: Double($0) * 100) }
        steps[3].evidence.poolWaiters = 3
        steps[5].evidence.activeBackends = 2.2
        steps[4].evidence.poolWaiters = 8
        let found = LimitingResource.find(steps: steps, databaseCores: 2)
        #expect(found?.resource == "pool_waiters")
        #expect(found?.sentence.hasPrefix("pool waiters from step 4") == true)
        steps[2].evidence.activeBackends = 2
        #expect(LimitingResource.find(steps: steps, databaseCores: 2)?.sentence.hasPrefix("PostgreSQL CPU: active backends (2) reach the 2 cores at step 3") == true)
        #expect(LimitingResource.find(steps: steps.map { var s = $0; s.evidence = StepEvidence(); return s }, databaseCores: 2) == nil)
    }
}

@Suite struct HostCPUEvidenceTests {
    /// The store and PostgreSQL pinned to one core: each uses half of it at the peak, together all of it.
    @Test func theStoreAndPostgresTogetherFillingTheirSharedCoresAreTheLimit() {
        var steps = (1...4).map { RampStateTests.step($0, users: $0, throughput: Double($0) * 500) }
        for index in steps.indices {
            let share = Double(index + 1) * 0.12
            steps[index].evidence = StepEvidence(processCores: ["postgres": share, "surge": share * 1.1], hostBusyCores: 2.2 * share, hostCores: 2)
        }
        // Step 4: 0.48 + 0.53 of 1 core (shown 1.0); neither alone reaches 0.9 of it.
        let found = LimitingResource.find(steps: steps, databaseCores: 1)
        #expect(found?.resource == "server_cpu")
        #expect(found?.step == 4)
        #expect(found?.sentence.hasPrefix("CPU: the store and PostgreSQL together use 1.0 of the 1 core they share at step 4") == true, "\(found?.sentence ?? "")")
        // On two cores they leave half idle: no finding.
        #expect(LimitingResource.find(steps: steps, databaseCores: 2) == nil)
    }


    @Test func coresBusyBeforeTheLoadRoseBlameOtherProcesses() {
        var steps = (1...3).map { RampStateTests.step($0, users: $0, throughput: Double($0) * 10) }
        for index in steps.indices { steps[index].evidence = StepEvidence(hostBusyCores: 2, hostCores: 2) }
        #expect(LimitingResource.find(steps: steps, databaseCores: 2)?.sentence.contains("other processes share this host") == true)
        steps[2].evidence.poolWaiters = 2
        let caveated = LimitingResource.find(steps: steps, databaseCores: 2)
        #expect(caveated?.resource == "pool_waiters")
        #expect(caveated?.sentence.contains("other processes share this host") == true)
        steps[0].evidence.hostBusyCores = 0.5
        #expect(LimitingResource.find(steps: steps, databaseCores: 2)?.sentence.hasPrefix("host CPU: all 2 cores busy at step 2") == true)
    }
}

@Suite struct EarlyPeakTests {
    @Test func aServerPeakingAtTheSecondLevelStillGetsFourPointsForTheFit() {
        var state = RampState(levels: [1, 2, 3, 4, 6, 8])
        for (index, throughput) in [1000.0, 1200, 1050, 900, 700, 600].enumerated() where !state.isFinished {
            state.record(RampStateTests.step(index + 1, users: state.nextLevel ?? 0, throughput: throughput))
        }
        #expect(state.stopReason == .saturated)
        #expect(state.steps.count == 4)
    }
}

@Suite struct FitSelectionTests {
    @Test func stepsThatShedMoreThanFivePercentStayOutOfTheFit() throws {
        let model = USLModel(sigma: 0.05, kappa: 0.004, lambda: 100)
        var state = RampState(levels: [1, 2, 3, 4, 6, 8])
        while let users = state.nextLevel, state.steps.count < 5 {
            state.record(RampStateTests.step(state.steps.count + 1, users: users, throughput: model.throughput(at: Double(users))))
        }
        // Shedding makes the last step look fast: 3× the curve, at 15% errors.
        state.record(RampStateTests.step(6, users: 8, throughput: 3 * model.throughput(at: 8), errorRate: 0.15))
        guard case .report(let report) = try RampOutcome.make(state, target: "t", p99Objective: nil, databaseCores: 2, peakMultiplier: nil) else {
            Issue.record("expected a report")
            return
        }
        #expect(report.estimate.points.count == 5)
        #expect(report.steps.count == 6)
        #expect(abs((report.estimate.peakThroughput ?? 0) / (model.peakThroughput ?? 1) - 1) < 0.01)
    }
}

@Suite struct NoisyPlateauTests {
    @Test func dipsOfLessThanTenPercentDoNotEndTheRamp() {
        var state = RampState(levels: [1, 2, 3, 4, 6, 8])
        for (index, throughput) in [1000.0, 1200, 1150, 1120, 1300, 1250].enumerated() where !state.isFinished {
            state.record(RampStateTests.step(index + 1, users: state.nextLevel ?? 0, throughput: throughput))
        }
        #expect(state.stopReason == .levelsExhausted)
    }
}

@Suite struct PredictionCheckTests {
    @Test func aPredictionMadeNearItsOwnPeakIsFlaggedAsNotSafeLoad() throws {
        let model = USLModel(sigma: 0.3, kappa: 0.15, lambda: 1000)
        var state = RampState(levels: [1, 2, 3, 4, 6, 8], stopAtFraction: 0.5, validate: true)
        while let users = state.nextLevel {
            state.record(RampStateTests.step(state.steps.count + 1, users: users, throughput: model.throughput(at: Double(users))))
        }
        guard case .report(let report) = try RampOutcome.make(state, target: "t", p99Objective: nil, databaseCores: 2, peakMultiplier: nil) else {
            Issue.record("expected a report")
            return
        }
        let check = try #require(report.predictionCheck)
        #expect(check.measuredShareAtPrediction > 0.8)
        #expect(abs(check.errorPercent) < 1)
        #expect(CapacityText.render(report).contains("not half of it"))
    }
}
