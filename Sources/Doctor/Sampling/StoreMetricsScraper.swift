import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads the store's `/metrics` (Prometheus text) with a short timeout.
enum StoreMetricsScraper {
    static func scrape(_ url: URL, timeout: TimeInterval = 3) async throws -> StoreMetrics {
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        if let token = ProcessInfo.processInfo.environment["SURGE_ADMIN_TOKEN"], !token.isEmpty {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            throw DoctorError.storeMetrics("\(url) answered HTTP \(http.statusCode)")
        }
        return StoreMetrics(text: String(decoding: data, as: UTF8.self))
    }

    /// Foundation's URL errors print their whole userInfo on Linux: one sentence instead.
    static func describe(_ error: any Error, timeout: Double) -> String {
        if case .storeMetrics(let why)? = error as? DoctorError { return why }
        let error = error as NSError
        guard error.domain == NSURLErrorDomain else { return String(describing: error) }
        switch error.code {
        case NSURLErrorTimedOut: return "no answer within \(Seconds.text(timeout)) (an overloaded store answers /metrics late)"
        case NSURLErrorCannotConnectToHost: return "connection refused"
        case NSURLErrorCannotFindHost: return "host name does not resolve"
        default: return error.userInfo[NSLocalizedDescriptionKey] as? String ?? "request failed (\(error.code))"
        }
    }
}

/// Where the store's metrics come from: its `/metrics` over HTTP, or the store itself when the doctor runs inside it.
enum StoreMetricsSource: Sendable {
    case http(URL)
    case inProcess(@Sendable () -> String)

    init?(_ options: DoctorOptions) {
        if let text = options.storeMetricsText {
            self = .inProcess(text)
        } else if let url = options.storeMetrics {
            self = .http(url)
        } else {
            return nil
        }
    }
}
