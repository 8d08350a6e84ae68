import Foundation
import Yams

/// Reads a scenario file (schema in docs/load.md) into a validated plan.
///
/// Every error names the file, the line and the field, and says what is expected.
public struct ScenarioParser {
    public var file: String
    /// Overrides the file's `target` (e.g. `--target`).
    public var targetOverride: String?
    /// Directory relative to which feeder files are read.
    public var baseDirectory: URL

    public init(file: String, targetOverride: String? = nil, baseDirectory: URL? = nil) {
        self.file = file
        self.targetOverride = targetOverride
        self.baseDirectory = baseDirectory ?? URL(fileURLWithPath: file).deletingLastPathComponent()
    }

    static let topLevel = ["version", "target", "run", "defaults", "feeders", "journeys", "scenarios", "thresholds"]
    static let scenarioFields = ["name", "executor", "rate", "duration", "start_rate", "stages", "multiplier", "ramp",
                                 "hold", "before", "after", "users", "poisson", "seed", "journeys", "max_in_flight", "start_after",
                                 "size", "within", "every", "bursts"]
    static let executors = ["constant-arrival-rate", "ramping-arrival-rate", "constant-concurrency", "spike", "burst", "soak"]
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    public func parse(_ yaml: String) throws(ScenarioError) -> LoadPlan {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ScenarioError(file: file, line: 0, field: "", message: "the file is empty")
            }
            root = node
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw ScenarioError(file: file, line: Self.line(of: error), field: "", message: "not valid YAML: \(Self.problem(of: error))")
        } catch {
            throw ScenarioError(file: file, line: 0, field: "", message: "not valid YAML: \(error)")
        }
        let top = try YAMLField(node: root, path: "", file: file).mapping(allowed: Self.topLevel)
        if let version = top["version"], try version.int(0...100) != 1 {
            throw version.error("only version 1 is supported")
        }
        let targetText: String
        if let targetOverride {
            targetText = targetOverride
        } else if let target = top["target"] {
            targetText = try target.string()
        } else {
            throw ScenarioError(file: file, line: 1, field: "target", message: "missing (e.g. target: http://127.0.0.1:8080), or pass --target")
        }
        guard let (endpoint, basePath) = Endpoint.parse(url: targetText) else {
            throw ScenarioError(file: file, line: top["target"]?.line ?? 0, field: "target",
                                message: "\"\(targetText)\" is not an http:// or https://host:port URL")
        }
        let prefix = basePath == "/" ? "" : basePath

        var parallel = false
        if let run = top["run"] {
            switch try run.string() {
            case "sequential": parallel = false
            case "parallel": parallel = true
            default: throw run.error("expected sequential or parallel")
            }
        }
        var defaultMaxInFlight = 10_000
        var timeout: Int64 = 10_000_000_000
        var connections = 64
        if let defaults = top["defaults"] {
            let fields = try defaults.mapping(allowed: ["max_in_flight", "timeout", "connections"])
            if let value = fields["max_in_flight"] { defaultMaxInFlight = try value.int(1...1_000_000) }
            if let value = fields["timeout"] { timeout = try value.durationNanos(max: 600_000_000_000) }
            if let value = fields["connections"] { connections = try value.int(1...100_000) }
        }

        var feeders: [String: Feeder] = [:]
        if let feederField = top["feeders"] {
            for (name, field) in try feederField.pairs() { feeders[name] = try feeder(name, field) }
        }
        guard let journeysField = top["journeys"] else {
            throw ScenarioError(file: file, line: 1, field: "journeys", message: "missing: list at least one journey with steps")
        }
        var journeys: [JourneyPlan] = []
        for field in try journeysField.sequence() {
            let journey = try self.journey(field, endpoint: endpoint, prefix: prefix, feeders: feeders)
            if journeys.contains(where: { $0.name == journey.name }) { throw field.error("journey name `\(journey.name)` is used twice") }
            journeys.append(journey)
        }
        guard !journeys.isEmpty else { throw journeysField.error("list at least one journey") }

        guard let scenariosField = top["scenarios"] else {
            throw ScenarioError(file: file, line: 1, field: "scenarios", message: "missing: list at least one scenario with an executor")
        }
        var phases: [PhasePlan] = []
        var offset: Int64 = 0
        for field in try scenariosField.sequence() {
            var phase = try scenario(field, journeys: journeys, defaultMaxInFlight: defaultMaxInFlight)
            if phases.contains(where: { $0.name == phase.name }) { throw field.error("scenario name `\(phase.name)` is used twice") }
            let startAfter = try field.mapping(allowed: Self.scenarioFields)["start_after"]?.durationNanos() ?? 0
            phase.startOffsetNanos = (parallel ? 0 : offset) + startAfter
            offset = phase.startOffsetNanos + phase.durationNanos
            phases.append(phase)
        }
        guard !phases.isEmpty else { throw scenariosField.error("list at least one scenario") }

        var thresholds: [Threshold] = []
        if let thresholdsField = top["thresholds"] {
            for field in try thresholdsField.sequence() {
                let text = try field.string()
                do throws(ThresholdSyntaxError) {
                    let threshold = try Threshold(parsing: text)
                    try Self.validate(threshold, phases: phases)
                    thresholds.append(threshold)
                } catch {
                    throw field.error(error.message)
                }
            }
        }
        var plan = LoadPlan(phases: phases, feeders: feeders, thresholds: thresholds)
        plan.requestTimeoutNanos = timeout
        plan.connections = connections
        return plan
    }

    /// Checks that a threshold's scope names something in the plan.
    static func validate(_ threshold: Threshold, phases: [PhasePlan]) throws(ThresholdSyntaxError) {
        switch threshold.scope {
        case .run: break
        case .phase(let name):
            guard phases.contains(where: { $0.name == name }) else {
                throw ThresholdSyntaxError(message: "threshold \"\(threshold)\": no scenario named `\(name)`")
            }
        case .journey(let name):
            guard phases.contains(where: { $0.journeys.contains { $0.name == name } }) else {
                throw ThresholdSyntaxError(message: "threshold \"\(threshold)\": no journey named `\(name)`")
            }
            if threshold.windowSeconds != nil {
                throw ThresholdSyntaxError(message: "threshold \"\(threshold)\": `every Ns` windows apply to the run or a phase, not a journey")
            }
        case .step(let journey, let step):
            guard phases.contains(where: { $0.journeys.contains { $0.name == journey && $0.steps.contains { $0.name == step } } }) else {
                throw ThresholdSyntaxError(message: "threshold \"\(threshold)\": no step `\(step)` in a journey `\(journey)`")
            }
            if threshold.windowSeconds != nil {
                throw ThresholdSyntaxError(message: "threshold \"\(threshold)\": `every Ns` windows apply to the run or a phase, not a step")
            }
        }
    }

    func feeder(_ name: String, _ field: YAMLField) throws(ScenarioError) -> Feeder {
        let fields = try field.mapping(allowed: ["range", "csv", "json", "pick", "exponent", "seed"])
        let sources = ["range", "csv", "json"].filter { fields[$0] != nil }
        guard sources.count == 1 else { throw field.error("give exactly one of range: [from, to], csv: FILE or json: FILE") }
        let source: Feeder.Source
        if let range = fields["range"] {
            let bounds = try range.sequence()
            guard bounds.count == 2 else { throw range.error("expected [from, to]") }
            let low = try bounds[0].int(-1_000_000_000...1_000_000_000)
            let high = try bounds[1].int(-1_000_000_000...1_000_000_000)
            guard low <= high else { throw range.error("from must not exceed to") }
            source = .range(low...high)
        } else {
            let key = fields["csv"] != nil ? "csv" : "json"
            guard let fileField = fields[key] else { throw field.error("missing file") }
            let path = try fileField.string()
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw fileField.error("cannot read \(url.path)") }
            let rows: [[String: TemplateValue]]?
            if key == "csv" {
                rows = String(data: data, encoding: .utf8).map(FeederFile.parseCSV)
            } else {
                rows = FeederFile.parseJSON(data)
            }
            guard let rows, !rows.isEmpty else {
                throw fileField.error(key == "csv" ? "no rows (expected a header line and at least one row)" : "expected a non-empty JSON array of objects")
            }
            source = .records(rows)
        }
        var pick = Feeder.Pick.sequential
        if let pickField = fields["pick"] {
            switch try pickField.string() {
            case "sequential": pick = .sequential
            case "uniform", "random": pick = .uniform
            case "zipf": pick = .zipf(exponent: try fields["exponent"]?.double(0.01...10) ?? 1.0)
            default: throw pickField.error("expected sequential, uniform or zipf")
            }
        }
        if case .zipf = pick, Feeder.count(source) > Feeder.maxZipfItems {
            throw field.error("zipf picks from at most \(Feeder.maxZipfItems) items")
        }
        let seed = UInt64(try fields["seed"]?.int(0...Int.max) ?? 1)
        return Feeder(name: name, source: source, pick: pick, seed: seed)
    }

    func journey(_ field: YAMLField, endpoint: Endpoint, prefix: String, feeders: [String: Feeder]) throws(ScenarioError) -> JourneyPlan {
        let fields = try field.mapping(allowed: ["name", "weight", "feed", "steps"])
        guard let nameField = fields["name"] else { throw field.error("missing name") }
        let name = try nameField.string()
        let weight = try fields["weight"]?.double(0.000001...1_000_000) ?? 1
        var feeds: [String] = []
        if let feedField = fields["feed"] {
            for item in try feedField.sequence() {
                let feederName = try item.string()
                guard feeders[feederName] != nil else {
                    throw item.error("no feeder named `\(feederName)` (declared: \(feeders.keys.sorted().joined(separator: ", ")))")
                }
                feeds.append(feederName)
            }
        }
        guard let stepsField = fields["steps"] else { throw field.error("missing steps") }
        var known = Template.builtins
        for feed in feeds { known.formUnion(feeders[feed]?.variableNames ?? []) }
        var steps: [StepPlan] = []
        for stepField in try stepsField.sequence() {
            let step = try self.step(stepField, index: steps.count, endpoint: endpoint, prefix: prefix, known: known)
            if steps.contains(where: { $0.name == step.name }) { throw stepField.error("step name `\(step.name)` is used twice in this journey") }
            known.formUnion(step.extracts.map(\.variable))
            steps.append(step)
        }
        guard !steps.isEmpty else { throw stepsField.error("list at least one step") }
        return JourneyPlan(name: name, weight: weight, feeds: feeds, steps: steps)
    }

    func step(_ field: YAMLField, index: Int, endpoint: Endpoint, prefix: String, known: Set<String>) throws(ScenarioError) -> StepPlan {
        let fields = try field.mapping(allowed: ["name", "method", "url", "headers", "body", "think", "check", "extract"])
        guard let urlField = fields["url"] else { throw field.error("missing url (a path like /v1/products, or http://host:port/path)") }
        let url = try urlField.string()
        var stepEndpoint = endpoint
        var target = prefix + url
        if Endpoint.isAbsolute(url) {
            guard let parsed = Endpoint.parse(url: url) else { throw urlField.error("\"\(url)\" is not an http:// or https://host:port URL") }
            stepEndpoint = parsed.endpoint
            target = parsed.path
        } else if !url.hasPrefix("/") {
            throw urlField.error("a path must start with / (or give a full http:// or https:// URL)")
        }
        guard stepEndpoint.isLoopback || endpoint == stepEndpoint || !endpoint.isLoopback else {
            throw urlField.error("\(stepEndpoint) is not the target's host")
        }
        let method = try fields["method"]?.string().uppercased() ?? "GET"
        guard Self.methods.contains(method) else {
            throw fields["method"]?.error("unknown method \(method) (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)") ?? field.error("bad method")
        }
        let name = try fields["name"]?.string() ?? "\(index + 1) \(method) \(url)"
        let targetTemplate = try template(target, urlField)
        var headers: [(name: String, value: Template)] = []
        if let headersField = fields["headers"] {
            for (key, value) in try headersField.pairs() {
                guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                    throw value.error("bad header name")
                }
                headers.append((key, try template(try value.string(), value)))
            }
        }
        var body: StepPlan.Body?
        if let bodyField = fields["body"] {
            if case .scalar = bodyField.node {
                body = .text(try template(try bodyField.string(), bodyField), contentType: "text/plain")
            } else {
                var json = JSONBodyTemplate()
                try appendJSON(bodyField, to: &json)
                body = .json(json)
            }
        }
        let think = try fields["think"]?.durationNanos(max: 3_600_000_000_000) ?? 0
        var expectStatus: Set<Int>?
        var checks: [ResponseCheck] = []
        if let checkField = fields["check"] {
            let checkFields = try checkField.mapping(allowed: ["status", "json"])
            if let statusField = checkFields["status"] {
                if case .sequence = statusField.node {
                    expectStatus = Set(try statusField.sequence().map { item throws(ScenarioError) in try item.int(100...599) })
                } else {
                    expectStatus = [try statusField.int(100...599)]
                }
            }
            if let jsonField = checkFields["json"] {
                for (pathText, expected) in try jsonField.pairs() {
                    let path = try jsonPath(pathText, expected)
                    let value = try expected.string()
                    checks.append(value == "exists" ? .exists(path) : .equals(path, value))
                }
            }
        }
        var extracts: [(variable: String, path: JSONPath)] = []
        if let extractField = fields["extract"] {
            for (variable, pathField) in try extractField.pairs() {
                guard variable.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw pathField.error("variable names use letters, digits and _")
                }
                extracts.append((variable, try jsonPath(try pathField.string(), pathField)))
            }
        }
        let step = StepPlan(name: name, method: method, endpoint: stepEndpoint, target: targetTemplate, headers: headers, body: body,
                            thinkNanos: think, expectStatus: expectStatus, checks: checks, extracts: extracts)
        for variable in step.variableNames where !known.contains(variable) {
            throw field.error("uses ${\(variable)}, which no feeder in `feed` and no earlier `extract` defines")
        }
        return step
    }

    func template(_ text: String, _ field: YAMLField) throws(ScenarioError) -> Template {
        do {
            return try Template(parsing: text)
        } catch {
            throw field.error(error.message)
        }
    }

    func jsonPath(_ text: String, _ field: YAMLField) throws(ScenarioError) -> JSONPath {
        do {
            return try JSONPath(parsing: text)
        } catch {
            throw field.error(error.message)
        }
    }

    /// Turns a YAML body into a JSON template: YAML numbers and booleans stay JSON numbers and booleans.
    func appendJSON(_ field: YAMLField, to json: inout JSONBodyTemplate) throws(ScenarioError) {
        switch field.node {
        case .mapping:
            json.appendJSON("{")
            for (index, pair) in try field.pairs().enumerated() {
                if index > 0 { json.appendJSON(",") }
                json.appendJSON(JSONText.quote(pair.key) + ":")
                try appendJSON(pair.value, to: &json)
            }
            json.appendJSON("}")
        case .sequence:
            json.appendJSON("[")
            for (index, item) in try field.sequence().enumerated() {
                if index > 0 { json.appendJSON(",") }
                try appendJSON(item, to: &json)
            }
            json.appendJSON("]")
        case .scalar(let scalar):
            if scalar.style == .plain {
                if field.node.null != nil { json.appendJSON("null"); return }
                if let bool = field.node.bool { json.appendJSON(bool ? "true" : "false"); return }
                if let int = field.node.int { json.appendJSON(String(int)); return }
                if let double = field.node.float, double.isFinite { json.appendJSON(String(double)); return }
            }
            json.appendString(try template(scalar.string, field))
        case .alias:
            throw field.error("YAML aliases are not supported in bodies")
        }
    }

    func scenario(_ field: YAMLField, journeys: [JourneyPlan], defaultMaxInFlight: Int) throws(ScenarioError) -> PhasePlan {
        let fields = try field.mapping(allowed: Self.scenarioFields)
        guard let nameField = fields["name"] else { throw field.error("missing name") }
        let name = try nameField.string()
        guard let executorField = fields["executor"] else {
            throw field.error("missing executor (\(Self.executors.joined(separator: ", ")))")
        }
        let kind = try executorField.string()
        func required(_ key: String, _ example: String) throws(ScenarioError) -> YAMLField {
            guard let value = fields[key] else { throw field.error("executor \(kind) needs \(key) (e.g. \(key): \(example))") }
            return value
        }
        let allowedByExecutor: [String: Set<String>] = [
            "constant-arrival-rate": ["rate", "duration", "poisson", "seed"],
            "soak": ["rate", "duration", "poisson", "seed"],
            "ramping-arrival-rate": ["start_rate", "stages", "poisson", "seed"],
            "spike": ["rate", "multiplier", "ramp", "hold", "before", "after", "poisson", "seed"],
            "burst": ["rate", "size", "within", "every", "bursts", "before", "after", "poisson", "seed"],
            "constant-concurrency": ["users", "duration"],
        ]
        guard let allowed = allowedByExecutor[kind] else {
            throw executorField.error("unknown executor `\(kind)` (\(Self.executors.joined(separator: ", ")))")
        }
        let common: Set<String> = ["name", "executor", "journeys", "max_in_flight", "start_after"]
        for (key, value) in fields where !common.contains(key) && !allowed.contains(key) {
            throw value.error("not used by executor \(kind) (it takes \(allowed.sorted().joined(separator: ", ")))")
        }
        let poisson = try fields["poisson"]?.bool() ?? false
        let seed = UInt64(try fields["seed"]?.int(0...Int.max) ?? 1)
        let executor: PhasePlan.Executor
        switch kind {
        case "constant-arrival-rate", "soak":
            let rate = try required("rate", "100/s").ratePerSecond()
            let duration = try required("duration", "30s").durationNanos()
            guard duration > 0 else { throw fields["duration"]?.error("must be positive") ?? field.error("bad duration") }
            executor = .arrivals(kind: kind, profile: .constant(ratePerSecond: rate, durationNanos: duration), poissonSeed: poisson ? seed : nil)
        case "ramping-arrival-rate":
            let start = try fields["start_rate"]?.ratePerSecond() ?? 0
            var stages: [RateProfile.Stage] = []
            for stageField in try required("stages", "[{duration: 30s, target: 200}]").sequence() {
                let stage = try stageField.mapping(allowed: ["duration", "target"])
                guard let duration = stage["duration"], let target = stage["target"] else {
                    throw stageField.error("a stage needs duration and target (e.g. {duration: 30s, target: 200})")
                }
                stages.append(.init(durationNanos: try duration.durationNanos(), targetRate: try target.ratePerSecond()))
            }
            guard !stages.isEmpty, stages.contains(where: { $0.durationNanos > 0 }) else {
                throw fields["stages"]?.error("list at least one stage with a positive duration") ?? field.error("no stages")
            }
            executor = .arrivals(kind: kind, profile: RateProfile(startRate: start, stages: stages), poissonSeed: poisson ? seed : nil)
        case "spike":
            let base = try required("rate", "100/s").ratePerSecond()
            let multiplier = try fields["multiplier"]?.double(1...1000) ?? 10
            let ramp = try fields["ramp"]?.durationNanos() ?? 10_000_000_000
            let hold = try fields["hold"]?.durationNanos() ?? 30_000_000_000
            let before = try fields["before"]?.durationNanos() ?? 10_000_000_000
            let after = try fields["after"]?.durationNanos() ?? 10_000_000_000
            let profile = RateProfile.spike(baseRate: base, multiplier: multiplier, beforeNanos: before, rampNanos: ramp, holdNanos: hold, afterNanos: after)
            guard profile.durationNanos > 0 else { throw field.error("the spike has zero duration") }
            executor = .arrivals(kind: kind, profile: profile, poissonSeed: poisson ? seed : nil)
        case "burst":
            let base = try fields["rate"]?.ratePerSecond() ?? 0
            let size = try required("size", "1000").int(1...10_000_000)
            let within = try fields["within"]?.durationNanos() ?? 1_000_000_000
            let count = try fields["bursts"]?.int(1...100_000) ?? 1
            let every = try fields["every"]?.durationNanos() ?? 10_000_000_000
            if count > 1, every < max(within, 1_000_000) {
                throw fields["every"]?.error("must be at least `within` (\(within / 1_000_000) ms): bursts would overlap")
                    ?? field.error("every must be at least within")
            }
            let before = try fields["before"]?.durationNanos() ?? 0
            let after = try fields["after"]?.durationNanos() ?? 10_000_000_000
            let profile = RateProfile.bursts(baseRate: base, size: size, withinNanos: within, everyNanos: every, count: count,
                                             beforeNanos: before, afterNanos: after)
            executor = .arrivals(kind: kind, profile: profile, poissonSeed: poisson ? seed : nil)
        default:
            let users = try required("users", "20").int(1...100_000)
            let duration = try required("duration", "30s").durationNanos()
            guard duration > 0 else { throw fields["duration"]?.error("must be positive") ?? field.error("bad duration") }
            executor = .concurrency(users: users, durationNanos: duration)
        }
        var selected = journeys
        if let journeysField = fields["journeys"] {
            selected = []
            for item in try journeysField.sequence() {
                let journeyName = try item.string()
                guard let journey = journeys.first(where: { $0.name == journeyName }) else {
                    throw item.error("no journey named `\(journeyName)` (declared: \(journeys.map(\.name).joined(separator: ", ")))")
                }
                selected.append(journey)
            }
            guard !selected.isEmpty else { throw journeysField.error("list at least one journey") }
        }
        let maxInFlight = try fields["max_in_flight"]?.int(1...1_000_000) ?? defaultMaxInFlight
        return PhasePlan(name: name, executor: executor, maxInFlight: maxInFlight, journeys: selected)
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): mark.line
        default: 0
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): problem
        default: String(describing: error)
        }
    }
}
