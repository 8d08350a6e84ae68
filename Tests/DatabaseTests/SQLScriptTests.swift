import Database
import Testing

@Suite struct SQLLexerTests {
    @Test func lexerKeepsLiteralsParametersAndOperators() {
        let tokens = SQLLexer.tokens("SELECT \"Name\", 'it''s' FROM t WHERE a >= $1 AND b::date = E'x\\'y' -- comment\n /* c */ AND c @@ q")
        #expect(tokens.contains(SQLToken(.quotedIdentifier, "Name")))
        #expect(tokens.contains(SQLToken(.string, "it's")))
        #expect(tokens.contains(SQLToken(.string, "x'y")))
        #expect(tokens.contains(SQLToken(.parameter, "1")))
        #expect(tokens.contains(SQLToken(.symbol, ">=")))
        #expect(tokens.contains(SQLToken(.symbol, "::")))
        #expect(tokens.contains(SQLToken(.symbol, "@@")))
        #expect(tokens.contains(SQLToken(.word, "select")))
        #expect(!tokens.contains { $0.text.contains("comment") })
    }

    @Test func sourceRangesPointAtTheTextAsWritten() {
        let sql = "SELECT Name FROM t WHERE x = 'v'"
        let bytes = Array(sql.utf8)
        let written = SQLLexer.tokens(sql).map { String(decoding: bytes[$0.sourceRange], as: UTF8.self) }
        #expect(written == ["SELECT", "Name", "FROM", "t", "WHERE", "x", "=", "'v'"])
    }
}

@Suite struct SQLScriptTests {
    @Test func splitsAtTopLevelSemicolonsOnly() {
        let parts = SQLScript.statements(in: "SELECT ';' FROM t; -- x;\nSELECT $$a;b$$; /* ; */ ;")
        #expect(parts.map(\.sql) == ["SELECT ';' FROM t", "SELECT $$a;b$$"])
    }

    @Test func commentsBeforeAStatementAreItsPreamble() {
        let parts = SQLScript.statements(in: "-- calls: 40\nSELECT 1 /* inside */ + 2;\n\n-- calls: 2\n  SELECT 3")
        #expect(parts.map(\.sql) == ["SELECT 1 /* inside */ + 2", "SELECT 3"])
        #expect(parts.map { $0.preamble.contains("calls:") } == [true, true])
        #expect(parts[1].preamble.contains("40") == false)
    }
}
