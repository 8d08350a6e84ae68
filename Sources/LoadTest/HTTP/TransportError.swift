/// Why a request got no HTTP response.
public enum TransportError: Error, Sendable, Equatable {
    case connectRefused(String)
    case connectTimeout(String)
    case connectFailed(String)
    case reset(String)
    case readTimeout
    case malformedResponse(String)

    /// The error class this failure is counted under.
    public var errorClass: ErrorClass {
        switch self {
        case .connectRefused: .connectRefused
        case .connectTimeout: .connectTimeout
        case .connectFailed: .connectRefused
        case .reset: .connectReset
        case .readTimeout: .readTimeout
        case .malformedResponse: .protocolError
        }
    }

    public var detail: String {
        switch self {
        case .connectRefused(let detail): "connect refused: \(detail)"
        case .connectTimeout(let detail): "connect timeout: \(detail)"
        case .connectFailed(let detail): "connect failed: \(detail)"
        case .reset(let detail): "connection reset: \(detail)"
        case .readTimeout: "no complete response within the request timeout"
        case .malformedResponse(let detail): "malformed response: \(detail)"
        }
    }
}

/// Every way an arrival can fail, counted separately (stable names: they appear in JSON results).
public enum ErrorClass: String, Sendable, Codable, CaseIterable, Comparable {
    case connectRefused = "connect_refused"
    case connectReset = "connect_reset"
    case connectTimeout = "connect_timeout"
    case readTimeout = "read_timeout"
    case status = "status"
    case checkFailed = "check_failed"
    case protocolError = "protocol_error"
    case dropped = "dropped"

    public static func < (lhs: ErrorClass, rhs: ErrorClass) -> Bool { lhs.rawValue < rhs.rawValue }
}
