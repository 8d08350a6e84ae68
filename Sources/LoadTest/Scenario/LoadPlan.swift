import NIOCore

/// Everything a run needs, validated: phases, journeys, feeders, thresholds and bounds.
public struct LoadPlan: Sendable {
    public var phases: [PhasePlan]
    public var feeders: [String: Feeder]
    public var thresholds: [Threshold]
    /// A request with no complete response after this long fails as `read_timeout`.
    public var requestTimeoutNanos: Int64 = 10_000_000_000
    /// Keep-alive connections per endpoint, across all event loops.
    public var connections: Int = 64
    /// Hard bound on arrivals in the whole run (every slice together).
    public var maxRequests: Int = 50_000_000
    /// Schedule lag p99 above this means the generator, not the server, was the bottleneck (exit 3).
    public var maxScheduleLagNanos: Int64 = 20_000_000
    /// `https://` endpoints: accept any server certificate (a self-signed server on loopback).
    public var insecureTLS = false

    public init(phases: [PhasePlan], feeders: [String: Feeder] = [:], thresholds: [Threshold] = []) {
        self.phases = phases
        self.feeders = feeders
        self.thresholds = thresholds
    }

    /// When the last phase ends, in nanoseconds from the run start.
    public var durationNanos: Int64 { phases.map { $0.startOffsetNanos + $0.durationNanos }.max() ?? 0 }

    /// Every endpoint a step may call.
    var endpoints: Set<Endpoint> { Set(phases.flatMap { $0.journeys.flatMap { $0.steps.map(\.endpoint) } }) }
}

/// One scenario of a file: an executor and the journeys its arrivals run.
public struct PhasePlan: Sendable {
    public enum Executor: Sendable {
        /// Open model: arrivals at intended times from a rate profile.
        case arrivals(kind: String, profile: RateProfile, poissonSeed: UInt64?)
        /// Closed model: `users` loops, each starting its next journey when the last one ends.
        case concurrency(users: Int, durationNanos: Int64)
    }

    public var name: String
    public var executor: Executor
    public var startOffsetNanos: Int64
    /// Arrivals that find this many journeys in flight are dropped (and counted).
    public var maxInFlight: Int
    public var journeys: [JourneyPlan]
    /// Closed-model users work only for the first `onShare` of every `periodNanos` (nil: all the time).
    public var pace: Pace?

    /// Duty-cycled closed-loop users: back to back for a share of each period, idle for the rest. The
    /// average load is that share of what the users give flat out, while every request still finds the
    /// target busy with the previous one (`surge capacity`'s paced steps: service demand measured in the
    /// regime of the peak, from a fraction of its load).
    public struct Pace: Sendable, Equatable {
        public var onShare: Double
        public var periodNanos: Int64

        public init(onShare: Double, periodNanos: Int64) {
            self.onShare = min(1, max(0, onShare))
            self.periodNanos = max(1_000_000, periodNanos)
        }

        /// When a user whose journey ended `offsetNanos` into the phase starts its next one: now inside
        /// the working share of the period, else at the start of the next period.
        public func nextStart(offsetNanos: Int64) -> Int64 {
            let period = offsetNanos / periodNanos
            let within = offsetNanos - period * periodNanos
            return Double(within) < onShare * Double(periodNanos) ? offsetNanos : (period + 1) * periodNanos
        }
    }

    public init(name: String, executor: Executor, startOffsetNanos: Int64 = 0, maxInFlight: Int = 10_000, journeys: [JourneyPlan]) {
        self.name = name
        self.executor = executor
        self.startOffsetNanos = startOffsetNanos
        self.maxInFlight = maxInFlight
        self.journeys = journeys
    }

    public var durationNanos: Int64 {
        switch executor {
        case .arrivals(_, let profile, _): profile.durationNanos
        case .concurrency(_, let duration): duration
        }
    }

    public var executorName: String {
        switch executor {
        case .arrivals(let kind, _, _): kind
        case .concurrency: "constant-concurrency"
        }
    }
}

/// A user journey: steps run in order, with a relative weight among the phase's journeys.
public struct JourneyPlan: Sendable {
    public var name: String
    public var weight: Double
    /// Feeders drawn once at the start of each iteration.
    public var feeds: [String]
    public var steps: [StepPlan]

    public init(name: String, weight: Double = 1, feeds: [String] = [], steps: [StepPlan]) {
        self.name = name
        self.weight = weight
        self.feeds = feeds
        self.steps = steps
    }
}

/// A check on a response.
public enum ResponseCheck: Sendable, Equatable {
    /// The JSON value at the path exists.
    case exists(JSONPath)
    /// The JSON value at the path, as text, equals this.
    case equals(JSONPath, String)
}

/// One HTTP request of a journey.
public struct StepPlan: Sendable {
    public var name: String
    public var method: String
    public var endpoint: Endpoint
    /// Path and query, with placeholders.
    public var target: Template
    public var headers: [(name: String, value: Template)]
    public var body: Body?
    public var thinkNanos: Int64
    /// Accepted statuses; nil accepts 200-399.
    public var expectStatus: Set<Int>?
    public var checks: [ResponseCheck]
    public var extracts: [(variable: String, path: JSONPath)]
    /// The encoded request when nothing in it varies: sent as is, with no per-request work.
    var preEncoded: ByteBuffer?

    public enum Body: Sendable {
        case json(JSONBodyTemplate)
        case text(Template, contentType: String)
    }

    public init(name: String, method: String, endpoint: Endpoint, target: Template,
                headers: [(name: String, value: Template)] = [], body: Body? = nil, thinkNanos: Int64 = 0,
                expectStatus: Set<Int>? = nil, checks: [ResponseCheck] = [], extracts: [(variable: String, path: JSONPath)] = []) {
        self.name = name
        self.method = method
        self.endpoint = endpoint
        self.target = target
        self.headers = headers
        self.body = body
        self.thinkNanos = thinkNanos
        self.expectStatus = expectStatus
        self.checks = checks
        self.extracts = extracts
        preEncoded = nil
        if isConstant { preEncoded = encode(Variables()) }
    }

    public var needsBody: Bool { !checks.isEmpty || !extracts.isEmpty }

    var isConstant: Bool {
        guard target.isConstant, headers.allSatisfy({ $0.value.isConstant }) else { return false }
        switch body {
        case nil: return true
        case .json(let template): return template.isConstant
        case .text(let template, _): return template.isConstant
        }
    }

    /// Variables this step reads.
    public var variableNames: [String] {
        var names = target.variableNames + headers.flatMap { $0.value.variableNames }
        switch body {
        case .json(let template): names += template.variableNames
        case .text(let template, _): names += template.variableNames
        case nil: break
        }
        return names
    }

    /// The request bytes for these variables.
    func encode(_ variables: Variables) -> ByteBuffer {
        var bodyText: String?
        var contentType: String?
        switch body {
        case .json(let template):
            bodyText = template.render(variables)
            contentType = "application/json"
        case .text(let template, let type):
            bodyText = template.render(variables)
            contentType = type
        case nil: break
        }
        var head = "\(method) \(target.render(variables)) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\nUser-Agent: surge-load\r\n"
        var hasContentType = false
        for header in headers {
            if header.name.lowercased() == "content-type" { hasContentType = true }
            head += "\(header.name): \(header.value.render(variables))\r\n"
        }
        if let bodyText {
            if !hasContentType, let contentType { head += "Content-Type: \(contentType)\r\n" }
            head += "Content-Length: \(bodyText.utf8.count)\r\n\r\n"
            head += bodyText
        } else if method == "POST" || method == "PUT" || method == "PATCH" {
            head += "Content-Length: 0\r\n\r\n"
        } else {
            head += "\r\n"
        }
        return ByteBuffer(string: head)
    }
}
