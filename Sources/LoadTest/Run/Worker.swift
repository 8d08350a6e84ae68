import Foundation
import NIOCore
import Reproducible

/// What one worker measured: its phases and the CPU time of its event loop thread.
struct WorkerOutput: Sendable {
    var phases: [PhaseResult]
    var cpuSeconds: Double
}

/// Runs one event loop's slice of every phase: schedules arrivals, runs journeys, records results.
///
/// All state is confined to `eventLoop`; every callback runs on it (`assumeIsolated`), so no locks are
/// needed on the hot path. Only `live` (read by the progress printer) is shared, behind a lock.
final class Worker {
    let eventLoop: any EventLoop
    let plan: LoadPlan
    let slice: ArrivalSlice
    let runStartNanos: Int64
    let live: LiveBox
    let addresses: [Endpoint: SocketAddress]
    let tls: TLSClient?
    private var pools: [Endpoint: ConnectionPool] = [:]
    private var dispatchers: [ArrivalDispatcher?]
    private var inFlight: [Int]
    private var schedulingDone: [Bool]
    private var iterationsStarted: [Int]
    private let maxIterationsPerPhase: Int
    private var feederCursors: [String: FeederCursor] = [:]
    private var random: SplitMix64
    private var results: [PhaseResult]
    private var recent = LatencyHistogram(precise: false)
    private var sweep: Scheduled<Void>?
    private var sweeps = 0
    private var lastSecondP99: UInt64 = 0
    private var finished = false
    private let promise: EventLoopPromise<WorkerOutput>
    private var cpuAtStart = 0.0
    private let hardDeadlineNanos: Int64

    init(eventLoop: any EventLoop, plan: LoadPlan, addresses: [Endpoint: SocketAddress], tls: TLSClient?, slice: ArrivalSlice,
         runStartNanos: Int64, live: LiveBox) {
        self.eventLoop = eventLoop
        self.addresses = addresses
        self.tls = tls
        self.plan = plan
        self.slice = slice
        self.runStartNanos = runStartNanos
        self.live = live
        let slices = slice.segmentCount * slice.workers
        let globalWorker = slice.segmentIndex * slice.workers + slice.worker
        maxIterationsPerPhase = max(1, plan.maxRequests / max(1, slices))
        dispatchers = plan.phases.map { phase in
            guard case .arrivals(_, let profile, let seed) = phase.executor else { return nil }
            return ArrivalDispatcher(schedule: ArrivalSchedule(profile: profile, poissonSeed: seed, slice: slice),
                                     maxInFlight: max(1, phase.maxInFlight / slices), maxArrivals: max(1, plan.maxRequests / slices))
        }
        inFlight = plan.phases.map { _ in 0 }
        schedulingDone = plan.phases.map { _ in false }
        iterationsStarted = plan.phases.map { _ in 0 }
        for (name, feeder) in plan.feeders {
            feederCursors[name] = FeederCursor(position: globalWorker, stride: slices,
                                               random: SplitMix64(seed: feeder.seed &+ UInt64(globalWorker) &* 0x9E37_79B9))
        }
        random = SplitMix64(seed: 0x5EED &+ UInt64(globalWorker))
        results = plan.phases.map(Worker.emptyResult)
        promise = eventLoop.makePromise()
        hardDeadlineNanos = runStartNanos + plan.durationNanos + plan.requestTimeoutNanos + 2_000_000_000
    }

    /// CPU time of the calling thread (this worker's event loop thread).
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func emptyResult(_ phase: PhasePlan) -> PhaseResult {
        var expected = 0.0
        if case .arrivals(_, let profile, _) = phase.executor { expected = profile.expectedArrivals }
        return PhaseResult(
            name: phase.name, executor: phase.executorName,
            startOffsetSeconds: Double(phase.startOffsetNanos) / 1e9, durationSeconds: Double(phase.durationNanos) / 1e9,
            intendedArrivals: expected,
            journeys: phase.journeys.map { journey in
                JourneyResult(name: journey.name, steps: journey.steps.map { StepResult(name: $0.name, method: $0.method) })
            })
    }

    /// Starts every phase at its offset; the future completes with this worker's results.
    func start() -> EventLoopFuture<WorkerOutput> {
        cpuAtStart = Self.threadCPUSeconds()
        let connectionsPerLoop = max(1, plan.connections / slice.workers)
        for (endpoint, address) in addresses {
            pools[endpoint] = ConnectionPool(endpoint: endpoint, address: address, eventLoop: eventLoop,
                                             maxConnections: connectionsPerLoop, connectTimeout: .seconds(3), tls: tls)
        }
        let isolated = eventLoop.assumeIsolated()
        for (index, phase) in plan.phases.enumerated() {
            isolated.scheduleTask(deadline: .uptimeNanoseconds(UInt64(runStartNanos + phase.startOffsetNanos))) {
                self.startPhase(index)
            }
        }
        scheduleSweep()
        return promise.futureResult
    }

    /// Every 100 ms: expire timed-out requests, publish live counters, enforce the hard deadline.
    private func scheduleSweep() {
        sweep = eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) {
            self.onSweep()
            if !self.finished { self.scheduleSweep() }
        }
    }

    private func phaseStart(_ phase: Int) -> Int64 { runStartNanos + plan.phases[phase].startOffsetNanos }

    private func startPhase(_ phase: Int) {
        switch plan.phases[phase].executor {
        case .arrivals:
            tick(phase)
        case .concurrency(let users, _):
            let now = MonotonicClock.nowNanos()
            for user in 0..<users where slice.contains(user) {
                startIteration(phase: phase, intendedNanos: now, user: user)
            }
            let end = phaseStart(phase) + plan.phases[phase].durationNanos
            eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(UInt64(end))) {
                self.schedulingDone[phase] = true
                self.checkDone()
            }
        }
    }

    /// Starts every due arrival of an open-model phase, then sleeps until the next one.
    private func tick(_ phase: Int) {
        guard !finished, var dispatcher = dispatchers[phase] else { return }
        let start = phaseStart(phase)
        defer { dispatchers[phase] = dispatcher }
        for _ in 0..<512 {
            let now = MonotonicClock.nowNanos()
            switch dispatcher.next(nowNanos: now - start, inFlight: inFlight[phase]) {
            case .start(let arrival, let lag):
                results[phase].scheduleLag.record(nanoseconds: lag)
                results[phase].arrivals += 1
                let bucket = results[phase].timeline.index(offsetNanos: arrival.offsetNanos)
                results[phase].timeline.buckets[bucket].arrivals += 1
                startIteration(phase: phase, intendedNanos: start + arrival.offsetNanos, user: nil)
            case .drop(let arrival, let lag):
                results[phase].scheduleLag.record(nanoseconds: lag)
                results[phase].arrivals += 1
                results[phase].dropped += 1
                results[phase].examples.note(.dropped, "arrival \(arrival.index) found \(self.inFlight[phase]) journeys in flight (cap per event loop)")
                let bucket = results[phase].timeline.index(offsetNanos: arrival.offsetNanos)
                results[phase].timeline.buckets[bucket].arrivals += 1
                results[phase].timeline.buckets[bucket].dropped += 1
            case .wait(let until):
                eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(UInt64(start + until))) { self.tick(phase) }
                return
            case .finished:
                schedulingDone[phase] = true
                checkDone()
                return
            }
        }
        // A burst of due arrivals: yield to I/O, then continue.
        eventLoop.assumeIsolated().execute { self.tick(phase) }
    }

    private func startIteration(phase: Int, intendedNanos: Int64, user: Int?) {
        let phasePlan = plan.phases[phase]
        iterationsStarted[phase] += 1
        if user != nil, iterationsStarted[phase] > maxIterationsPerPhase { return }
        inFlight[phase] += 1
        let journey = pickJourney(phasePlan)
        var variables = Variables(iteration: iterationsStarted[phase])
        for name in phasePlan.journeys[journey].feeds {
            guard let feeder = plan.feeders[name], var cursor = feederCursors[name] else { continue }
            feeder.draw(&cursor, into: &variables)
            feederCursors[name] = cursor
        }
        if user != nil {
            results[phase].arrivals += 1
            let bucket = results[phase].timeline.index(offsetNanos: intendedNanos - phaseStart(phase))
            results[phase].timeline.buckets[bucket].arrivals += 1
        }
        results[phase].journeys[journey].started += 1
        let iteration = Iteration(phase: phase, journey: journey, intendedStartNanos: intendedNanos,
                                  stepIntendedNanos: intendedNanos, variables: variables, user: user)
        runStep(iteration)
    }

    private func pickJourney(_ phase: PhasePlan) -> Int {
        guard phase.journeys.count > 1 else { return 0 }
        let total = phase.journeys.reduce(0) { $0 + $1.weight }
        var point = random.unitInterval() * total
        for (index, journey) in phase.journeys.enumerated() {
            point -= journey.weight
            if point <= 0 { return index }
        }
        return phase.journeys.count - 1
    }

    private func runStep(_ iteration: Iteration) {
        let step = plan.phases[iteration.phase].journeys[iteration.journey].steps[iteration.step]
        guard let pool = pools[step.endpoint] else { return }
        let bytes = step.preEncoded ?? step.encode(iteration.variables)
        pool.execute(PendingRequest(
            bytes: bytes, keepBody: step.needsBody, isHead: step.method == "HEAD",
            enqueuedAtNanos: MonotonicClock.nowNanos(),
            onComplete: { result, sentAt, doneAt in self.stepCompleted(iteration, result, sentAt: sentAt, doneAt: doneAt) }))
    }

    private func stepCompleted(_ iteration: Iteration, _ result: Result<ParsedResponse, TransportError>, sentAt: Int64, doneAt: Int64) {
        var iteration = iteration
        let step = plan.phases[iteration.phase].journeys[iteration.journey].steps[iteration.step]
        let outcome = evaluate(step, result, &iteration.variables)
        let phase = iteration.phase
        let latency = doneAt - iteration.stepIntendedNanos
        var measured = true
        if case .failure(let error) = result, case .connectRefused = error.errorClass { measured = false }
        let bucket = results[phase].timeline.index(offsetNanos: iteration.stepIntendedNanos - phaseStart(phase))
        withStep(iteration) { stepResult in
            stepResult.counts.requests += 1
            if measured {
                stepResult.latency.record(nanoseconds: latency)
                stepResult.serviceTime.record(nanoseconds: doneAt - sentAt)
            }
        }
        results[phase].counts.requests += 1
        results[phase].timeline.buckets[bucket].counts.requests += 1
        if measured {
            results[phase].latency.record(nanoseconds: latency)
            results[phase].serviceTime.record(nanoseconds: doneAt - sentAt)
            results[phase].timeline.buckets[bucket].latency.record(nanoseconds: latency)
            recent.record(nanoseconds: latency)
        }
        switch outcome {
        case .success:
            withStep(iteration) { $0.counts.successes += 1 }
            results[phase].counts.successes += 1
            results[phase].timeline.buckets[bucket].counts.successes += 1
        case .shed:
            withStep(iteration) { $0.counts.shed += 1 }
            results[phase].counts.shed += 1
            results[phase].timeline.buckets[bucket].counts.shed += 1
        case .failure(let errorClass, let message):
            withStep(iteration) { $0.counts.errors[errorClass, default: 0] += 1 }
            results[phase].counts.errors[errorClass, default: 0] += 1
            results[phase].timeline.buckets[bucket].counts.errors[errorClass, default: 0] += 1
            results[phase].examples.note(errorClass, "\(step.method) \(step.name): \(message)")
        }
        guard case .success = outcome else {
            finishIteration(iteration, succeeded: false, doneAt: doneAt)
            return
        }
        let steps = plan.phases[phase].journeys[iteration.journey].steps
        guard iteration.step + 1 < steps.count else {
            finishIteration(iteration, succeeded: true, doneAt: doneAt)
            return
        }
        iteration.step += 1
        iteration.stepIntendedNanos = doneAt + step.thinkNanos
        if step.thinkNanos > 0 {
            let next = iteration
            eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(UInt64(next.stepIntendedNanos))) { self.runStep(next) }
        } else {
            runStep(iteration)
        }
    }

    private func withStep(_ iteration: Iteration, _ body: (inout StepResult) -> Void) {
        body(&results[iteration.phase].journeys[iteration.journey].steps[iteration.step])
    }

    private func evaluate(_ step: StepPlan, _ result: Result<ParsedResponse, TransportError>, _ variables: inout Variables) -> StepOutcome {
        let response: ParsedResponse
        switch result {
        case .failure(let error): return .failure(error.errorClass, error.detail)
        case .success(let parsed): response = parsed
        }
        if (response.status == 429 || response.status == 503) && response.hasRetryAfter { return .shed }
        let accepted = step.expectStatus.map { $0.contains(response.status) } ?? (200..<400).contains(response.status)
        guard accepted else { return .failure(.status, "status \(response.status)") }
        guard step.needsBody else { return .success }
        guard let document = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) else {
            return .failure(.checkFailed, "body is not JSON (\(response.bodyLength) bytes)")
        }
        for check in step.checks {
            switch check {
            case .exists(let path):
                if path.evaluate(document) == nil { return .failure(.checkFailed, "\(path) is missing") }
            case .equals(let path, let expected):
                guard let value = path.evaluate(document) else { return .failure(.checkFailed, "\(path) is missing") }
                let text = JSONPath.templateValue(value).text
                if text != expected { return .failure(.checkFailed, "\(path) is \(text), expected \(expected)") }
            }
        }
        for extract in step.extracts {
            guard let value = extract.path.evaluate(document) else {
                return .failure(.checkFailed, "cannot extract \(extract.variable) from \(extract.path)")
            }
            variables.values[extract.variable] = JSONPath.templateValue(value)
        }
        return .success
    }

    private func finishIteration(_ iteration: Iteration, succeeded: Bool, doneAt: Int64) {
        let phase = iteration.phase
        inFlight[phase] -= 1
        if succeeded {
            results[phase].journeys[iteration.journey].succeeded += 1
            results[phase].journeys[iteration.journey].duration.record(nanoseconds: doneAt - iteration.intendedStartNanos)
        } else {
            results[phase].journeys[iteration.journey].failed += 1
        }
        if let user = iteration.user, !schedulingDone[phase], !finished {
            let now = MonotonicClock.nowNanos()
            if now < phaseStart(phase) + plan.phases[phase].durationNanos {
                if succeeded, let pace = plan.phases[phase].pace {
                    let next = phaseStart(phase) + pace.nextStart(offsetNanos: now - phaseStart(phase))
                    if next <= now {
                        startIteration(phase: phase, intendedNanos: now, user: user)
                    } else if next < phaseStart(phase) + plan.phases[phase].durationNanos {
                        eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(UInt64(next))) {
                            guard !self.schedulingDone[phase], !self.finished else { return }
                            self.startIteration(phase: phase, intendedNanos: next, user: user)
                        }
                    }
                } else if succeeded {
                    startIteration(phase: phase, intendedNanos: now, user: user)
                } else {
                    // A failed journey (a refused connection returns at once) must not spin: retry after a pause.
                    eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(10)) {
                        guard !self.schedulingDone[phase], !self.finished else { return }
                        self.startIteration(phase: phase, intendedNanos: MonotonicClock.nowNanos(), user: user)
                    }
                }
            }
        }
        checkDone()
    }

    private func onSweep() {
        let now = MonotonicClock.nowNanos()
        sweeps += 1
        if sweeps % 10 == 0 {
            lastSecondP99 = recent.percentile(99)
            recent = LatencyHistogram(precise: false)
            // A response lands in the bucket of its step's intended start, at most a timeout later.
            for phase in results.indices {
                let settled = now - phaseStart(phase) - plan.requestTimeoutNanos - 1_000_000_000
                results[phase].timeline.compact(endingBeforeOffsetNanos: settled)
            }
        }
        for pool in pools.values { pool.expire(nowNanos: now, timeoutNanos: plan.requestTimeoutNanos) }
        publishLive()
        if now > hardDeadlineNanos { finish() }
    }

    private func publishLive() {
        var snapshot = LiveSnapshot()
        for (index, result) in results.enumerated() {
            snapshot.arrivals += result.arrivals
            snapshot.requests += result.counts.requests
            snapshot.successes += result.counts.successes
            snapshot.errors += result.counts.errorCount
            snapshot.shed += result.counts.shed
            snapshot.dropped += result.dropped
            snapshot.inFlight += inFlight[index]
            if !schedulingDone[index], result.arrivals > 0 { snapshot.phase = result.name }
        }
        snapshot.recentP99Micros = lastSecondP99
        live.store(snapshot)
    }

    private func checkDone() {
        guard !finished, schedulingDone.allSatisfy({ $0 }), inFlight.allSatisfy({ $0 <= 0 }) else { return }
        finish()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        sweep?.cancel()
        for pool in pools.values { pool.shutdown() }
        publishLive()
        promise.succeed(WorkerOutput(phases: results, cpuSeconds: Self.threadCPUSeconds() - cpuAtStart))
    }
}
