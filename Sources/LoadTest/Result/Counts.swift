/// Outcome counts of requests: successes, shed (429/503 with Retry-After), and errors by class.
public struct Counts: Codable, Sendable, Equatable {
    public var requests = 0
    public var successes = 0
    public var shed = 0
    public var errors: [ErrorClass: Int] = [:]

    public init() {}

    public var errorCount: Int { errors.values.reduce(0, +) }

    public mutating func merge(_ other: Counts) {
        requests += other.requests
        successes += other.successes
        shed += other.shed
        errors.merge(other.errors, uniquingKeysWith: +)
    }

    enum CodingKeys: String, CodingKey { case requests, successes, shed, errors }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requests, forKey: .requests)
        try container.encode(successes, forKey: .successes)
        try container.encode(shed, forKey: .shed)
        try container.encode(Dictionary(uniqueKeysWithValues: errors.map { ($0.key.rawValue, $0.value) }), forKey: .errors)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requests = try container.decode(Int.self, forKey: .requests)
        successes = try container.decode(Int.self, forKey: .successes)
        shed = try container.decode(Int.self, forKey: .shed)
        let raw = try container.decode([String: Int].self, forKey: .errors)
        for (key, value) in raw {
            guard let errorClass = ErrorClass(rawValue: key) else {
                throw DecodingError.dataCorruptedError(forKey: .errors, in: container, debugDescription: "unknown error class \(key)")
            }
            errors[errorClass] = value
        }
    }
}

/// The first example of each error class, kept to explain the counts.
public struct ErrorExamples: Codable, Sendable, Equatable {
    public var byClass: [String: String] = [:]

    public init() {}

    mutating func note(_ errorClass: ErrorClass, _ message: @autoclosure () -> String) {
        if byClass[errorClass.rawValue] == nil { byClass[errorClass.rawValue] = message() }
    }

    public mutating func merge(_ other: ErrorExamples) {
        byClass.merge(other.byClass) { first, _ in first }
    }
}
