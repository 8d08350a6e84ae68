import Database
import Testing

@Suite struct FingerprintTests {
    @Test func literalsInWhereShareAFingerprint() {
        let one = QueryFingerprint(sql: "SELECT * FROM products WHERE id = 1")
        let two = QueryFingerprint(sql: "SELECT * FROM products WHERE id = 2")
        #expect(one == two)
        #expect(one.normalized == "select * from products where id = $1")
    }

    @Test func bindPlaceholdersAndLiteralsShareAFingerprint() {
        #expect(QueryFingerprint(sql: "SELECT name FROM products WHERE id = $1").id == QueryFingerprint(sql: "select name from products where id = 42").id)
    }

    @Test func inListsOfAnyLengthShareAFingerprint() {
        let short = QueryFingerprint(sql: "SELECT * FROM products WHERE id IN (1,2)")
        let long = QueryFingerprint(sql: "SELECT * FROM products WHERE id IN (1, 2, 3)")
        let params = QueryFingerprint(sql: "SELECT * FROM products WHERE id IN ($1, $2, $3, $4)")
        #expect(short == long)
        #expect(long == params)
        #expect(short.normalized == "select * from products where id in ($1)")
    }

    @Test func subqueryInIsNotCollapsed() {
        let fingerprint = QueryFingerprint(sql: "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = 3)")
        #expect(fingerprint.normalized == "select * from t where id in (select id from u where x = $1)")
    }

    @Test(arguments: [
        ("SELECT * FROM t WHERE name = 'it''s'", "select * from t where name = $1"),
        (#"SELECT * FROM t WHERE name = E'\''"#, "select * from t where name = $1"),
        (#"SELECT * FROM t WHERE name = E'a\\' AND b = 'x'"#, "select * from t where name = $1 and b = $2"),
        ("SELECT * FROM t WHERE body = $$it's -- not a comment$$", "select * from t where body = $1"),
        ("SELECT * FROM t WHERE body = $tag$ a $$ b $tag$ AND c = 1", "select * from t where body = $1 and c = $2"),
        ("SELECT 'a' || 'b' FROM t", "select $1 || $2 from t"),
        ("SELECT * FROM t WHERE x = U&'d\\0061t' AND y = B'101'", "select * from t where x = $1 and y = $2"),
    ])
    func quotedStringsWithEscapesNormalize(sql: String, expected: String) {
        #expect(QueryFingerprint(sql: sql).normalized == expected)
    }

    @Test func whitespaceCaseAndCommentsDoNotMatter() {
        let messy = QueryFingerprint(sql: """
            -- list the cart
            SELECT  p.Name,   p.price_cents /* price in cents /* nested */ */
              FROM products p
             WHERE p.ID = $1 ;
            """)
        let tidy = QueryFingerprint(sql: "select p.name, p.price_cents from products p where p.id = 7")
        #expect(messy == tidy)
        #expect(tidy.normalized == "select p.name, p.price_cents from products p where p.id = $1")
    }

    @Test func quotedIdentifiersKeepTheirCaseAndStayDistinct() {
        let quoted = QueryFingerprint(sql: #"SELECT "Name" FROM t"#)
        let plain = QueryFingerprint(sql: "SELECT name FROM t")
        #expect(quoted != plain)
        #expect(quoted.normalized == #"select "Name" from t"#)
    }

    @Test func numbersInsideIdentifiersAreKept() {
        #expect(QueryFingerprint(sql: "SELECT col1 FROM t2 WHERE x = 3.5e2").normalized == "select col1 from t2 where x = $1")
    }

    @Test func negativeNumbersAndSubtractionAreTellApart() {
        #expect(QueryFingerprint(sql: "SELECT * FROM t WHERE x = -1").normalized == "select * from t where x = $1")
        #expect(QueryFingerprint(sql: "SELECT a - 1 FROM t").normalized == "select a - $1 from t")
        #expect(QueryFingerprint(sql: "SELECT * FROM t WHERE x = -1").id == QueryFingerprint(sql: "SELECT * FROM t WHERE x = 5").id)
        #expect(QueryFingerprint(sql: "SELECT * FROM t WHERE x=-1").id == QueryFingerprint(sql: "SELECT * FROM t WHERE x = 5").id)
        #expect(QueryFingerprint(sql: "SELECT data->>'name' FROM t").normalized == "select data ->> $1 from t")
    }

    @Test func multiRowValuesShareAFingerprint() {
        let one = QueryFingerprint(sql: "INSERT INTO t (a, b) VALUES (1, 'x')")
        let three = QueryFingerprint(sql: "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), ($1, $2)")
        #expect(one == three)
        #expect(one.normalized == "insert into t(a, b) values ($1, $2)")
    }

    @Test func castsAndArraysNormalize() {
        let first = QueryFingerprint(sql: "SELECT $1::int8, ARRAY[1,2,3] FROM t")
        let second = QueryFingerprint(sql: "select 5::int8, array[4] from t")
        #expect(first == second)
        #expect(first.normalized == "select $1::int8, array[$2] from t")
    }

    @Test func differentStatementsDiffer() {
        #expect(QueryFingerprint(sql: "SELECT * FROM products WHERE id = 1").id != QueryFingerprint(sql: "SELECT * FROM orders WHERE id = 1").id)
    }

    @Test func idIsStableFNV1aOfTheNormalizedText() {
        // FNV-1a 64 of "" is the offset basis; of "a" is a published test vector.
        #expect(QueryFingerprint(sql: "").id == 0xcbf2_9ce4_8422_2325)
        #expect(QueryFingerprint(sql: "a").id == 0xaf63_dc4c_8601_ec8c)
        #expect(QueryFingerprint(sql: "a").hexID == "af63dc4c8601ec8c")
    }

    @Test func redactionKeepsTheShapeButNoValues() {
        let redacted = QueryFingerprint.redact("SELECT *\n  FROM users WHERE email = 'bob@example.com' AND id IN (1, 2)")
        #expect(redacted == "SELECT * FROM users WHERE email = ? AND id IN (?, ?)")
        #expect(!redacted.contains("bob"))
    }

    @Test func unterminatedInputDoesNotCrash() {
        for sql in ["SELECT 'abc", "SELECT $$abc", "SELECT /* abc", #"SELECT "abc"#, "SELECT E'\\", "$", "--"] {
            _ = QueryFingerprint(sql: sql)
        }
        #expect(QueryFingerprint(sql: "SELECT 'abc").normalized == "select $1")
    }

    @Test func everyValueIsNumberedInOrderAndAReusedParameterKeepsItsNumber() {
        let normalized = QueryFingerprint(sql: "SELECT * FROM users WHERE email = 'alice@example.com' AND id IN (1, 2, 3) AND age > -5 AND x = $1 AND y = $1").normalized
        #expect(normalized == "select * from users where email = $1 and id in ($2) and age > $3 and x = $4 and y = $4")
        #expect(!normalized.contains("alice"))
    }

    /// The normalized text is what `/admin/queries` publishes and the advisor reads back: it must
    /// fingerprint to the id that made it, or the advisor would group the store's rows differently.
    @Test(arguments: [
        "SELECT * FROM users WHERE email = 'a' AND id IN (1, 2, 3) AND age > -5 AND x = $1",
        "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y') RETURNING id",
        "SELECT $2::int8, ARRAY[1,2,3], \"Quoted\" FROM t WHERE a = $1 AND b = $2 LIMIT 20 OFFSET 40",
        "UPDATE stock SET qty = qty - $1 WHERE product_id = $2 AND qty >= $1",
        "SELECT count(*) FILTER (WHERE x > 0) OVER (PARTITION BY y) FROM t WHERE body = $$a$$",
    ])
    func normalizedTextFingerprintsToTheSameID(sql: String) {
        let fingerprint = QueryFingerprint(sql: sql)
        let again = QueryFingerprint(sql: fingerprint.normalized)
        #expect(again.normalized == fingerprint.normalized)
        #expect(again.id == fingerprint.id)
    }
}
