// The store's fingerprint cost on the corpus of sql-toolkit.sh (stdin: NUL-separated records
// `workload<TAB>sql`). Compiled by sql-toolkit.sh together with Sources/Database/SQL and FNV-1a.
// Prints one TSV row per workload: workload, statements, fingerprint ns/statement (a cache miss),
// cached lookup ns/statement (the hot path: QueryStatistics keys fingerprints by statement text),
// distinct fingerprints.
import Foundation

@inline(never) func consume(_ value: UInt64) { if value == 42 { print("") } }

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200 : 200
let input = FileHandle.standardInput.readDataToEndOfFile()
let records = input.split(separator: 0).compactMap { record -> (String, String)? in
    let text = String(decoding: record, as: UTF8.self)
    guard let tab = text.firstIndex(of: "\t") else { return nil }
    return (String(text[..<tab]), String(text[text.index(after: tab)...]))
}
let clock = ContinuousClock()
func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}
for workload in ["tpch", "store", "migrations", "advisor-tests"] {
    let statements = records.filter { $0.0 == workload }.map(\.1)
    guard !statements.isEmpty else { continue }
    var cache: [String: UInt64] = [:]
    for sql in statements { cache[sql] = QueryFingerprint(sql: sql).id }
    var missNs = 0.0
    var hitNs = 0.0
    for sql in statements {
        let miss = clock.measure { for _ in 0..<rounds { consume(QueryFingerprint(sql: sql).id) } }
        let hit = clock.measure { for _ in 0..<rounds { consume(cache[sql] ?? 0) } }
        missNs += nanoseconds(miss) / Double(rounds)
        hitNs += nanoseconds(hit) / Double(rounds)
    }
    let distinct = Set(cache.values).count
    print("\(workload)\t\(statements.count)\t\(Int(missNs / Double(statements.count)))\t\(Int(hitNs / Double(statements.count)))\t\(distinct)")
}
