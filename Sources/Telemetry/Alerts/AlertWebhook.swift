import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Posts alert transitions as JSON to a URL (Alertmanager-style body: `{"alerts":[{"status", …}]}`).
public struct AlertWebhook: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// The request body for `transitions`.
    static func body(_ transitions: [AlertTransition]) throws -> Data {
        struct Entry: Encodable {
            var status: String
            var alert: ActiveAlert
        }
        let entries = transitions.map { transition -> Entry in
            switch transition {
            case .firing(let alert): Entry(status: "firing", alert: alert)
            case .resolved(let alert): Entry(status: "resolved", alert: alert)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(["alerts": entries])
    }

    /// Posts once, with a 5 s timeout; throws on a transport error or a non-2xx answer.
    func post(_ transitions: [AlertTransition]) async throws {
        var request = URLRequest(url: url, timeoutInterval: 5)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try Self.body(transitions)
        let (_, response) = try await URLSession.shared.data(for: request)
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw WebhookError(status: http.statusCode)
        }
    }

    struct WebhookError: Error, CustomStringConvertible {
        var status: Int
        var description: String { "alert webhook answered HTTP \(status)" }
    }
}
