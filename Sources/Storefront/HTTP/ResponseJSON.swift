import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the JSON of the hot responses (listings, carts, problems) straight into a `ByteBuffer`.
///
/// `JSONEncoder` with `convertToSnakeCase` converted every key of every object on every response
/// through Foundation string operations: a 21-product listing page cost ~1 ms of CPU, 8% of the
/// store's core under a 10× surge (BENCHMARKS.md, overload session 4). The types that conform to
/// `JSONWritable` write the document `StoreJSON.encoder` would (keys snake_case and sorted by their
/// UTF-8 bytes, nil optionals left out, dates as ISO 8601 in UTC to the second, the same string
/// escapes, slashes unescaped), byte for byte: `ResponseJSONTests` compares the two on random values.
struct ResponseJSON {
    var buffer: ByteBuffer

    init(capacity: Int = 512) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Text that needs no escaping (punctuation and keys).
    @inline(__always)
    mutating func raw(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    mutating func int<Value: BinaryInteger>(_ value: Value) {
        buffer.writeString(String(value))
    }

    mutating func bool(_ value: Bool) {
        buffer.writeStaticString(value ? "true" : "false")
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00xx`, and
    /// `/` as `\/` if `escapingSlashes` (JSONEncoder's default; `StoreJSON` leaves slashes as they are).
    mutating func string(_ text: String, escapingSlashes: Bool = false) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var mark = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
                    || (escapingSlashes && byte == UInt8(ascii: "/")) else { continue }
                if index > mark { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[mark..<index]))) }
                mark = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "/"): buffer.writeStaticString("\\/")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                default:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(Self.hexDigit(byte >> 4))
                    buffer.writeInteger(Self.hexDigit(byte & 0x0F))
                }
            }
            if bytes.count > mark { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[mark...]))) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// `"2026-12-03T04:28:12Z"`: ISO 8601 in UTC, fractional seconds dropped (as `.iso8601` writes it).
    mutating func date(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        buffer.writeInteger(UInt8(ascii: "\""))
        digits(Int(parts.tm_year) + 1900, width: 4)
        buffer.writeInteger(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, width: 2)
        buffer.writeInteger(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), width: 2)
        buffer.writeInteger(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), width: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), width: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), width: 2)
        buffer.writeStaticString("Z\"")
    }

    private mutating func digits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `[a,b,…]`, each element written by `element`.
    mutating func array<Element>(_ elements: [Element], _ element: (inout ResponseJSON, Element) -> Void) {
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, value) in elements.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            element(&self, value)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }
}

/// A response type that writes its own JSON, identical to what `StoreJSON.encoder` makes of it.
protocol JSONWritable: Encodable {
    func write(to json: inout ResponseJSON)
}

extension JSONWritable {
    var jsonBuffer: ByteBuffer {
        var json = ResponseJSON()
        write(to: &json)
        return json.buffer
    }
}

extension Money: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{\"amount_minor\":"); json.int(amountMinor)
        json.raw(",\"currency\":"); json.string(currency)
        json.raw("}")
    }
}

extension ProductSummary: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{\"brand\":"); json.string(brand)
        json.raw(",\"category_id\":"); json.int(categoryId)
        json.raw(",\"created_at\":"); json.date(createdAt)
        json.raw(",\"id\":"); json.int(id)
        json.raw(",\"in_stock\":"); json.bool(inStock)
        json.raw(",\"popularity\":"); json.int(popularity)
        json.raw(",\"price\":"); price.write(to: &json)
        json.raw(",\"title\":"); json.string(title)
        json.raw("}")
    }
}

extension ProductPage.Count: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{\"count\":"); json.int(count)
        json.raw(",\"key\":"); json.string(key)
        json.raw(",\"label\":"); json.string(label)
        json.raw("}")
    }
}

extension ProductPage.Facets: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{\"brands\":"); json.array(brands) { $1.write(to: &$0) }
        json.raw(",\"categories\":"); json.array(categories) { $1.write(to: &$0) }
        json.raw(",\"price_bands\":"); json.array(priceBands) { $1.write(to: &$0) }
        json.raw("}")
    }
}

extension ProductPage: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{")
        if let facets {
            json.raw("\"facets\":"); facets.write(to: &json)
            json.raw(",")
        }
        json.raw("\"items\":"); json.array(items) { $1.write(to: &$0) }
        json.raw(",\"match\":"); json.string(match)
        if let nextCursor {
            json.raw(",\"next_cursor\":"); json.string(nextCursor)
        }
        json.raw("}")
    }
}

extension CartLine: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{\"id\":"); json.int(id)
        json.raw(",\"line_total\":"); lineTotal.write(to: &json)
        json.raw(",\"product_id\":"); json.int(productId)
        json.raw(",\"quantity\":"); json.int(quantity)
        json.raw(",\"sku\":"); json.string(sku)
        json.raw(",\"title\":"); json.string(title)
        json.raw(",\"unit_price\":"); unitPrice.write(to: &json)
        json.raw(",\"variant_id\":"); json.int(variantId)
        json.raw("}")
    }
}

extension Cart: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{\"currency\":"); json.string(currency)
        json.raw(",\"id\":"); json.string(id.uuidString)
        json.raw(",\"lines\":"); json.array(lines) { $1.write(to: &$0) }
        json.raw(",\"status\":"); json.string(status)
        json.raw(",\"subtotal\":"); subtotal.write(to: &json)
        if let token {
            json.raw(",\"token\":"); json.string(token)
        }
        json.raw(",\"version\":"); json.int(version)
        json.raw("}")
    }
}

extension ProblemBody: JSONWritable {
    func write(to json: inout ResponseJSON) {
        json.raw("{\"code\":"); json.string(code)
        json.raw(",\"detail\":"); json.string(detail)
        json.raw(",\"status\":"); json.int(status)
        json.raw(",\"title\":"); json.string(title)
        json.raw(",\"type\":"); json.string(type)
        json.raw("}")
    }
}
