import Foundation
import NIOCore
import Reproducible
@testable import Storefront
import Testing

/// The hand-written JSON of the hot responses must be the bytes `StoreJSON.encoder` writes (ETags and
/// idempotent replays depend on stable bytes, clients on the document): compared on random values.
@Suite struct ResponseJSONTests {
    /// Deterministic random values (the seeder's SplitMix64), so a failure repeats.
    struct Values {
        var random: SplitMix64
        init(state: UInt64) { random = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { random.next() }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func bool() -> Bool { next() & 1 == 0 }

        /// Text with what needs escaping: quotes, backslashes, slashes, every control character, and non-ASCII.
        mutating func text() -> String {
            let pieces = ["a", "Kettle", " ", "\"", "\\", "/", "ü", "日本", "😀", "\u{7F}", "\u{2028}", "é", "<b>", "'"]
            var result = ""
            for _ in 0..<int(0...12) {
                if int(0...4) == 0 {
                    result.unicodeScalars.append(Unicode.Scalar(UInt8(int(0...31))))
                } else {
                    result += pieces[int(0...(pieces.count - 1))]
                }
            }
            return result
        }

        mutating func money() -> Money { Money(amountMinor: Int64(int(0...9_999_999)), currency: ["USD", "EUR", "JPY"][int(0...2)]) }

        /// 1970 to 2100, with a fraction of a second (dropped when written).
        mutating func date() -> Date { Date(timeIntervalSince1970: Double(int(0...4_102_444_800)) + Double(int(0...999_999)) / 1_000_000) }

        mutating func count() -> ProductPage.Count { .init(key: text(), label: text(), count: int(0...100_000)) }

        mutating func page() -> ProductPage {
            let items = (0..<int(0...25)).map { _ in
                ProductSummary(id: Int64(int(1...Int(Int32.max))), title: text(), brand: text(), categoryId: int(1...500), price: money(),
                               inStock: bool(), popularity: int(0...1_000_000), createdAt: date())
            }
            let facets = bool() ? nil : ProductPage.Facets(categories: (0..<int(0...4)).map { _ in count() },
                                                           brands: (0..<int(0...4)).map { _ in count() },
                                                           priceBands: (0..<int(0...4)).map { _ in count() })
            return ProductPage(items: items, nextCursor: bool() ? nil : text(), match: ["none", "fulltext", "fuzzy"][int(0...2)], facets: facets)
        }

        mutating func cart() -> Cart {
            let lines = (0..<int(0...5)).map { _ in
                CartLine(id: Int64(int(1...1_000_000)), variantId: Int64(int(1...1_000_000)), productId: Int64(int(1...1_000_000)),
                         sku: text(), title: text(), quantity: int(1...999), unitPrice: money(), lineTotal: money())
            }
            return Cart(id: UUID(), status: bool() ? "open" : "checked_out", version: int(1...10_000), currency: "USD", lines: lines,
                        subtotal: money(), token: bool() ? nil : text())
        }
    }

    static func expectSameBytes(_ value: some JSONWritable) throws {
        let written = String(buffer: value.jsonBuffer)
        let encoded = String(decoding: try StoreJSON.encoder.encode(value), as: UTF8.self)
        #expect(written == encoded)
    }

    @Test func listingPagesMatchJSONEncoder() throws {
        var values = Values(state: 1)
        for _ in 0..<300 { try Self.expectSameBytes(values.page()) }
    }

    @Test func cartsMatchJSONEncoder() throws {
        var values = Values(state: 2)
        for _ in 0..<300 { try Self.expectSameBytes(values.cart()) }
    }

    @Test func problemsMatchJSONEncoder() throws {
        var values = Values(state: 3)
        for _ in 0..<300 {
            try Self.expectSameBytes(ProblemBody(type: "https://surge.dev/problems/" + values.text(), title: values.text(),
                                                 status: values.int(400...599), code: values.text(), detail: values.text()))
        }
    }

    /// Cursors are written by hand too: the bytes must be the ones `JSONEncoder(.sortedKeys)` wrote,
    /// so a cursor issued before still decodes, and every cursor round-trips.
    @Test func cursorsKeepTheirEncoding() throws {
        var values = Values(state: 4)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for _ in 0..<300 {
            let cursor = ListingCursor(sort: ["popular", "price", "-price", "newest", "relevance"][values.int(0...4)],
                                       key: Int64(values.int(-1_000_000...Int(Int32.max))), id: Int64(values.int(1...1_000_000)),
                                       match: values.bool() ? nil : values.text())
            let old = try encoder.encode(cursor).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(cursor.encoded == old)
            if cursor.encoded.count <= 200 { #expect(try ListingCursor(encoded: cursor.encoded) == cursor) }
        }
    }
}
