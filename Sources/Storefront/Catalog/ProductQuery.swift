import Foundation

/// A validated `GET /v1/products` request.
public struct ProductQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        case relevance, price, priceDescending = "-price", newest, popular
    }

    public var categoryID: Int?
    public var text: String?
    public var minPriceMinor: Int64?
    public var maxPriceMinor: Int64?
    public var inStockOnly: Bool
    public var sort: Sort
    public var limit: Int
    public var cursor: ListingCursor?
    public var facets: Bool

    public static let maximumLimit = 100
    public static let defaultLimit = 24
    /// The longest `q`, in Unicode code points (the document's `maxLength`).
    public static let maximumTextLength = 200

    /// Parses the query string parameters; every mistake is a `validation_failed` naming the parameter
    /// (`RequestContract` has checked them against the document first), and a well-formed cursor
    /// this API did not issue for this sort is `not_found`.
    public init(parameters: [String: String]) throws(StoreError) {
        let known: Set<String> = ["category", "q", "min_price", "max_price", "in_stock", "sort", "limit", "cursor", "facets"]
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw .validation("unknown query parameter '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
        }
        categoryID = try Self.integer(parameters["category"], "category", range: 1...Int64(Int32.max)).map { Int($0) }
        // As the document counts (Unicode code points, before trimming); PostgreSQL's text cannot hold NUL.
        if let raw = parameters["q"] {
            if raw.unicodeScalars.count > Self.maximumTextLength { throw .validation("q must be at most \(Self.maximumTextLength) characters") }
            if raw.unicodeScalars.contains("\0") { throw .validation("q must not contain NUL (U+0000)") }
        }
        let text = parameters["q"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.text = text?.isEmpty == true ? nil : text
        minPriceMinor = try Self.integer(parameters["min_price"], "min_price", range: 0...Int64(1) << 50)
        maxPriceMinor = try Self.integer(parameters["max_price"], "max_price", range: 0...Int64(1) << 50)
        inStockOnly = try Self.boolean(parameters["in_stock"], "in_stock")
        facets = try Self.boolean(parameters["facets"], "facets")
        if let raw = parameters["sort"] {
            guard let sort = Sort(rawValue: raw) else {
                throw .validation("sort must be one of \(Sort.allCases.map(\.rawValue).joined(separator: ", ")), not '\(raw)'")
            }
            // Relevance needs a text to be relevant to: without one, the most popular come first.
            self.sort = sort == .relevance && self.text == nil ? .popular : sort
        } else {
            sort = self.text == nil ? .popular : .relevance
        }
        limit = Int(try Self.integer(parameters["limit"], "limit", range: 1...Int64(Self.maximumLimit)) ?? Int64(Self.defaultLimit))
        if let raw = parameters["cursor"] {
            let cursor = try ListingCursor(encoded: raw)
            guard cursor.sort == sort.rawValue else {
                throw .notFound("cursor was made for sort=\(cursor.sort), not sort=\(sort.rawValue): start again without cursor")
            }
            self.cursor = cursor
        } else {
            cursor = nil
        }
    }

    /// The listing cache's key: every field, so equal queries (however their parameters were
    /// spelled or ordered) share it; the free text comes last, so no separator inside it can collide.
    var cacheKey: String {
        func field(_ value: Int64?) -> String { value.map { String($0) } ?? "" }
        var key = "\(sort.rawValue)|\(limit)|\(field(categoryID.map(Int64.init)))|\(field(minPriceMinor))|\(field(maxPriceMinor))|"
        key += "\(inStockOnly ? 1 : 0)\(facets ? 1 : 0)|"
        if let cursor { key += "\(cursor.key),\(cursor.id),\(cursor.match ?? "")" }
        key += "|" + (text ?? "")
        return key
    }

    static func integer(_ raw: String?, _ name: String, range: ClosedRange<Int64>) throws(StoreError) -> Int64? {
        guard let raw else { return nil }
        guard let value = Int64(raw), range.contains(value) else {
            throw .validation("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(raw.prefix(40))'")
        }
        return value
    }

    static func boolean(_ raw: String?, _ name: String) throws(StoreError) -> Bool {
        switch raw {
        case nil, "false": return false
        case "true": return true
        case let other?: throw .validation("\(name) must be true or false, not '\(other.prefix(40))'")
        }
    }
}

/// An opaque keyset cursor: the sort key of the last row of the previous page.
public struct ListingCursor: Codable, Sendable, Equatable {
    /// The sort it was made for.
    public var sort: String
    /// The sort value of the last row (price, popularity, epoch microseconds, or rank bits).
    public var key: Int64
    /// The last row's id (the tie-breaker).
    public var id: Int64
    /// `fulltext` or `fuzzy`: a search page continues in the mode its first page used.
    public var match: String?

    public init(sort: String, key: Int64, id: Int64, match: String? = nil) {
        self.sort = sort
        self.key = key
        self.id = id
        self.match = match
    }

    public init(encoded: String) throws(StoreError) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard encoded.utf8.count <= 200, encoded.utf8.allSatisfy(Self.isBase64URL) else {
            throw .validation("cursor must be at most 200 characters of A-Z, a-z, 0-9, - and _: use next_cursor from the previous page")
        }
        guard let data = Data(base64Encoded: base64), let cursor = try? JSONDecoder().decode(ListingCursor.self, from: data) else {
            throw .notFound("cursor is not one this API issued: use next_cursor from the previous page")
        }
        self = cursor
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    /// Base64url (no padding) of the cursor's JSON, keys sorted: the bytes `JSONEncoder` with
    /// `.sortedKeys` wrote before, so cursors issued earlier stay valid. Written by hand: every
    /// listing page makes one, and Foundation's encoder and string replacing cost more than the page.
    public var encoded: String {
        var json = ResponseJSON(capacity: 96)
        json.raw("{\"id\":"); json.int(id)
        json.raw(",\"key\":"); json.int(key)
        if let match {
            json.raw(",\"match\":"); json.string(match, escapingSlashes: true)
        }
        json.raw(",\"sort\":"); json.string(sort, escapingSlashes: true)
        json.raw("}")
        let base64 = Data(json.buffer.readableBytesView).base64EncodedString()
        return String(decoding: base64.utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }, as: UTF8.self)
    }
}
