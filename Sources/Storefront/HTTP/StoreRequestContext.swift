import Foundation
import Hummingbird

/// Per-request context: Hummingbird's core storage plus snake_case JSON coding and a body limit.
public struct StoreRequestContext: CatalogReadingContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// How the catalog may answer this request: `RequestLifecycleMiddleware` sets `cacheOnly` for a browse
    /// request it would shed but the cache can answer.
    public var catalogRead: CatalogRead = .loadIfNeeded

    /// Bodies over 64 KiB are refused with 413 before they are read.
    public var maxUploadSize: Int { 64 * 1024 }
    public var requestDecoder: StoreRequestDecoder { StoreRequestDecoder() }
    public var responseEncoder: StoreResponseEncoder { StoreResponseEncoder() }
}

/// Decodes JSON bodies; any decoding failure becomes a 400 `validation_failed` naming the field.
public struct StoreRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw Problem("payload_too_large", .contentTooLarge, "request body is larger than \(context.maxUploadSize) bytes")
        }
        guard buffer.readableBytes > 0 else { throw StoreError.validation("request body is empty: send a JSON object") }
        do {
            return try StoreJSON.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw StoreError.validation(Self.explain(error))
        } catch {
            throw StoreError.validation("request body is not valid JSON")
        }
    }

    static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "body" : text.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context): return "field \(path(context.codingPath)) must be \(describe(type))"
        case .valueNotFound(let type, let context): return "field \(path(context.codingPath)) must be \(describe(type)), not null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "request body is not valid JSON" : "field \(path(context.codingPath)) is invalid"
        @unknown default: return "request body is invalid"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        default: return "a \(type)"
        }
    }
}

/// Encodes responses as JSON with sorted keys, so equal values give equal bytes (ETags, idempotent replays).
public struct StoreResponseEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try StoreJSON.encoder.encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A request context that carries how the catalog may answer (admission's decision, passed down
/// in the context rather than a task-local the domain would have to know).
public protocol CatalogReadingContext: RequestContext {
    var catalogRead: CatalogRead { get set }
}
