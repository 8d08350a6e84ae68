import Foundation
import HTTPTypes
import Hummingbird

/// What `/openapi.json` allows a client to send, read from the document itself, and checked on every
/// request before its handler runs: each declared parameter (query, path, header: presence, type,
/// range, length, pattern, enum, format) and the JSON body (`additionalProperties: false` included).
///
/// One source for both sides: the document a client reads is the validator the server runs, so a
/// limit cannot be enforced without being documented, nor documented without being enforced.
/// (The fuzzer in CI found both kinds of drift when the two were written separately.)
/// Domain rules the document cannot state stay in the services; `OpenAPIContractTests` checks that
/// no such rule refuses a value the document allows.
struct RequestContract: Sendable {
    struct Parameter: Sendable {
        enum Location: String, Sendable { case query, path, header }
        var name: String
        var location: Location
        var required: Bool
        var schema: JSONSchema
        /// For a header, its field name (made once: `HTTPField.Name` validates the text).
        var field: HTTPField.Name?
    }

    struct Operation: Sendable {
        var parameters: [Parameter]
        var body: JSONSchema?
        var bodyRequired: Bool
        /// Undeclared query parameters are refused (a misspelt filter must not silently match everything).
        var strictQuery: Bool
    }

    /// By `"GET /v1/products/{id}"`.
    let operations: [String: Operation]

    /// The contract of `OpenAPIDocument.json`.
    static let store: RequestContract = {
        do {
            return try RequestContract(json: OpenAPIDocument.json)
        } catch {
            // The document is a constant of this program: the tests read it, so this cannot happen in a build that passed them.
            preconditionFailure("OpenAPIDocument.json is not a contract this reader understands: \(error)")
        }
    }()

    init(json: String) throws(ContractError) {
        guard let document = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
              let paths = document["paths"] as? [String: [String: Any]] else { throw ContractError("the document is not an OpenAPI object") }
        var operations: [String: Operation] = [:]
        for (path, item) in paths {
            for (method, node) in item {
                guard let node = node as? [String: Any] else { continue }
                var parameters: [Parameter] = []
                for raw in node["parameters"] as? [[String: Any]] ?? [] {
                    var raw = raw
                    if let ref = raw["$ref"] as? String { raw = try JSONSchema.resolve(ref, in: document) }
                    guard let name = raw["name"] as? String, let location = (raw["in"] as? String).flatMap(Parameter.Location.init),
                          let schema = raw["schema"] as? [String: Any] else { throw ContractError("\(method) \(path): a parameter without name, in or schema") }
                    parameters.append(Parameter(name: name, location: location, required: raw["required"] as? Bool ?? false,
                                                schema: try JSONSchema(schema, document: document),
                                                field: location == .header ? HTTPField.Name(name) : nil))
                }
                var body: JSONSchema?
                var bodyRequired = false
                if let requestBody = node["requestBody"] as? [String: Any] {
                    bodyRequired = requestBody["required"] as? Bool ?? false
                    let media = (requestBody["content"] as? [String: Any])?["application/json"] as? [String: Any]
                    guard let schema = media?["schema"] as? [String: Any] else { throw ContractError("\(method) \(path): a body that is not JSON") }
                    body = try JSONSchema(schema, document: document)
                }
                let strict = (node["x-strict-query"] as? Bool) ?? false
                operations["\(method.uppercased()) \(path)"] = Operation(parameters: parameters, body: body, bodyRequired: bodyRequired, strictQuery: strict)
            }
        }
        self.operations = operations
    }

    /// Checks `request`'s parameters against `route`'s operation; throws 400 `validation_failed`
    /// naming the first parameter that breaks it.
    func checkParameters(_ request: Request, parameters pathParameters: Parameters, route: String) throws(StoreError) {
        guard let operation = operations[route] else { return }
        var query: [Substring: Substring]?
        if operation.parameters.contains(where: { $0.location == .query }) || operation.strictQuery {
            var values: [Substring: Substring] = [:]
            for (key, value) in request.uri.queryParameters { values[key] = value }
            query = values
        }
        if operation.strictQuery, let query {
            let known = Set(operation.parameters.filter { $0.location == .query }.map(\.name))
            if let unknown = query.keys.map(String.init).sorted().first(where: { !known.contains($0) }) {
                throw .validation("unknown query parameter '\(JSONSchema.excerpt(unknown))'; known: \(known.sorted().joined(separator: ", "))")
            }
        }
        for parameter in operation.parameters {
            let raw: String?
            switch parameter.location {
            case .query: raw = query?[Substring(parameter.name)].map(String.init)
            case .path: raw = pathParameters.get(parameter.name)
            case .header: raw = parameter.field.flatMap { request.headers[$0] }
            }
            guard let raw else {
                if parameter.required { throw .validation("the \(parameter.location.rawValue) parameter \(parameter.name) is required") }
                continue
            }
            if let problem = parameter.schema.violation(ofParameter: raw, field: parameter.name) { throw .validation(problem) }
        }
    }

    /// Checks `request`'s JSON body against `route`'s body schema (when it declares one), leaving
    /// the body collected in `request` for the handler to decode. Throws 400 `validation_failed`
    /// naming the first field that breaks the schema, or 413 `payload_too_large`.
    func checkBody(_ request: inout Request, context: some RequestContext, route: String) async throws {
        guard let operation = operations[route], let schema = operation.body else { return }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw Problem("payload_too_large", .contentTooLarge, "request body is larger than \(context.maxUploadSize) bytes")
        }
        request.body = .init(buffer: buffer)
        if buffer.readableBytes == 0 {
            if operation.bodyRequired { throw StoreError.validation("request body is empty: send a JSON object") }
            return
        }
        guard let value = try? JSONDecoder().decode(JSONInput.self, from: Data(buffer.readableBytesView)) else {
            throw StoreError.validation("request body is not valid JSON (UTF-8 text, RFC 8259)")
        }
        if let problem = schema.violation(of: value, field: "body") { throw StoreError.validation(problem) }
    }
}
