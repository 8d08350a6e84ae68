import PostgresNIO

/// Builds the SQL of a product listing: filters, sort and keyset condition, every value a bind.
///
/// Index-backed sorts (`popular`, `newest`, `price`, `-price`) order by the raw columns so PostgreSQL
/// walks `products_*_idx` and stops after `limit + 1` rows: page 500 costs what page 1 costs.
/// Search sorts order by an integer score computed per matching row.
struct ListingSQL {
    let query: ProductQuery
    let categoryIDs: [Int]?
    let match: String
    private var binds = PostgresBindings()
    private var sql = ""

    init(query: ProductQuery, categoryIDs: [Int]?, match: String) {
        self.query = query
        self.categoryIDs = categoryIDs
        self.match = match
    }

    /// `$n` for a new bind parameter.
    private mutating func bind<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Whether any variant has stock. A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL may turn an
    /// EXISTS into a hashed subplan over every variant and stock row (1 s at 100k products), while this
    /// form stays a per-row index probe on the `limit + 1` rows a page reads.
    static let inStockExpression = """
        ((SELECT true FROM variants v JOIN stock s ON s.variant_id = v.id
          WHERE v.product_id = p.id AND s.on_hand > s.reserved LIMIT 1) IS NOT NULL)
        """

    /// The words of `q` as a prefix-matching tsquery (`red & wireless & head:*`), or nil if it has none.
    static func tsquery(_ text: String) -> String? {
        let words = text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        guard !words.isEmpty else { return nil }
        return words.dropLast().joined(separator: " & ") + (words.count > 1 ? " & " : "") + words[words.count - 1] + ":*"
    }

    private mutating func filters() -> [String] {
        var conditions: [String] = []
        if let categoryIDs {
            // One category: a plain equality lets PostgreSQL walk products_category_*_idx in sort order.
            if categoryIDs.count == 1 {
                conditions.append("p.category_id = \(bind(categoryIDs[0]))")
            } else {
                conditions.append("p.category_id = ANY(\(bind(categoryIDs)))")
            }
        }
        if let low = query.minPriceMinor { conditions.append("p.price_minor >= \(bind(low))") }
        if let high = query.maxPriceMinor { conditions.append("p.price_minor <= \(bind(high))") }
        if query.inStockOnly { conditions.append(Self.inStockExpression) }
        if let text = query.text {
            switch match {
            case "fuzzy":
                conditions.append("\(bind(text)) <% p.title")
            default:
                if let tsquery = Self.tsquery(text) {
                    conditions.append("p.search @@ to_tsquery('english', \(bind(tsquery)))")
                } else {
                    conditions.append("false")
                }
            }
        }
        return conditions
    }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    /// One page (`limit + 1` rows: the extra row tells whether a next page exists).
    mutating func page() -> PostgresQuery {
        let columns = """
            p.id, p.title, b.name AS brand, p.category_id, p.price_minor, p.currency::text, p.popularity, p.created_at,
            \(Self.inStockExpression) AS in_stock
            """
        var conditions = filters()
        let limit = bind(Int64(query.limit + 1))
        switch query.sort {
        case .relevance:
            let score: String
            if match == "fuzzy", let text = query.text {
                score = "(word_similarity(\(bind(text)), p.title) * 1000000)::bigint"
            } else {
                score = "(ts_rank(p.search, to_tsquery('english', \(bind(Self.tsquery(query.text ?? "") ?? "")))) * 1000000)::bigint"
            }
            var outer = ""
            if let cursor = query.cursor { outer = "WHERE (s.sort_key, s.id) < (\(bind(cursor.key)), \(bind(cursor.id)))" }
            sql = """
                SELECT * FROM (
                    SELECT \(columns), \(score) AS sort_key
                    FROM products p JOIN brands b ON b.id = p.brand_id
                    \(Self.whereClause(conditions))
                ) s \(outer)
                ORDER BY s.sort_key DESC, s.id DESC LIMIT \(limit)
                """
        case .popular, .newest, .price, .priceDescending:
            let (column, key, descending): (String, String, Bool) = switch query.sort {
            case .popular: ("p.popularity", "p.popularity::bigint", true)
            case .newest: ("p.created_at", "(extract(epoch FROM p.created_at) * 1000000)::bigint", true)
            case .price: ("p.price_minor", "p.price_minor", false)
            default: ("p.price_minor", "p.price_minor", true)
            }
            if let cursor = query.cursor {
                let value = query.sort == .newest
                    ? "('epoch'::timestamptz + \(bind(cursor.key)) * interval '1 microsecond')"
                    : bind(cursor.key)
                conditions.append("(\(column), p.id) \(descending ? "<" : ">") (\(value), \(bind(cursor.id)))")
            }
            let direction = descending ? "DESC" : "ASC"
            sql = """
                SELECT \(columns), \(key) AS sort_key
                FROM products p JOIN brands b ON b.id = p.brand_id
                \(Self.whereClause(conditions))
                ORDER BY \(column) \(direction), p.id \(direction) LIMIT \(limit)
                """
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// Counts by leaf category, brand and price band over the whole filtered set.
    mutating func facets() -> PostgresQuery {
        let conditions = filters()
        sql = """
            WITH f AS (SELECT p.category_id, p.brand_id, p.price_minor FROM products p \(Self.whereClause(conditions)))
            (SELECT 'category', category_id::text, '', count(*)::int FROM f GROUP BY category_id ORDER BY count(*) DESC, category_id LIMIT 20)
            UNION ALL
            (SELECT 'brand', b.id::text, b.name, count(*)::int FROM f JOIN brands b ON b.id = f.brand_id
             GROUP BY b.id, b.name ORDER BY count(*) DESC, b.id LIMIT 20)
            UNION ALL
            (SELECT 'price', band::text,
                    (ARRAY['under 10', '10-25', '25-50', '50-100', '100-250', '250 and over'])[band + 1], count(*)::int
             FROM (SELECT width_bucket(price_minor, ARRAY[1000, 2500, 5000, 10000, 25000]::bigint[]) AS band FROM f) bands
             GROUP BY band ORDER BY band)
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
