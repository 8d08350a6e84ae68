import Foundation
import PostgresNIO

/// Whole-workload index advice, read top to bottom as steps:
/// plan each statement → candidates from its predicates → hypothetical costs (HypoPG) →
/// greedy selection under a budget with a write penalty → review of existing indexes.
public struct IndexAdvisor {
    public var options: AdviseOptions

    public init(options: AdviseOptions = .init()) {
        self.options = options
    }

    /// A statement with its plan and where it touches tables.
    struct PlannedStatement {
        var statement: WorkloadStatement
        var shape: StatementShape
        var accesses: [TableAccess]
        var baseline: Plan
        var tableOIDs: Set<Int64> { Set(accesses.map(\.table.oid)) }
    }

    /// True when `plan` reads the hypothetical partial index `indexOID` whole, fetching each row from the
    /// table (an Index Scan with no Index Cond that no LIMIT stops early). PostgreSQL costs such a scan by
    /// the key's correlation with the table's order, as if the rows the predicate keeps were packed into
    /// that share of the table's pages, where they are usually spread over all of them: TPC-H Q12 with
    /// `lineitem (l_orderkey) WHERE l_commitdate < l_receiptdate AND l_shipdate < l_commitdate` (the lines
    /// are stored in l_orderkey order) was costed at a fifth of a table scan and ran 14.5 ms, where the
    /// same predicate on `(l_receiptdate)`, costed three times higher, ran 7.5. Such a plan earns the
    /// candidate nothing for that statement. A bitmap scan (costed by pages) and an index-only scan (no
    /// table pages) are taken at their cost, as is a scan a LIMIT stops (a top-N listing).
    static func readsPartialIndexWhole(_ plan: Plan, indexOID: Int64) -> Bool {
        let marker = "<\(indexOID)>"
        let blocking: Set<String> = ["Sort", "Hash", "Aggregate", "Materialize", "SetOp", "WindowAgg", "Unique", "Gather Merge"]
        // Depth first, with whether a LIMIT above reaches this node without a node that reads all its input first.
        func visit(_ node: PlanNode, stoppable: Bool) -> Bool {
            if node.nodeType == "Index Scan", node.indexName?.hasPrefix(marker) == true, node.indexCond == nil, !stoppable { return true }
            let below = node.nodeType == "Limit" ? true : stoppable && !blocking.contains(node.nodeType)
            return (node.plans ?? []).contains { visit($0, stoppable: below) }
        }
        return visit(plan.root, stoppable: false)
    }

    /// Advises on `workload`. `tableWrites` overrides the write counters (a `--window` delta).
    public func advise(session: PlanningSession, workload: Workload, catalog: Catalog, tableWrites: [Int64: Int64]? = nil) async throws -> Advice {
        guard session.server.hasHypoPG else {
            throw AdvisorError.hypoPGMissing(serverMajor: session.server.major, available: session.server.hypoPGAvailable)
        }
        try await session.resetHypotheticalIndexes()

        // 1. Plan every statement as it is today.
        var planned: [PlannedStatement] = []
        var skipped: [SkippedStatement] = []
        for var statement in workload.statements {
            let shape = StatementParser.parse(statement.sql)
            let values = RepresentativeValues.choose(for: statement, shape: shape, catalog: catalog)
            if !values.isEmpty { statement.parameterValues = values }
            let accesses = CandidateGenerator.accesses(shape, catalog: catalog)
            // HypoPG matches a partial or expression index only on the FROM list's first table: put the
            // largest table that has such candidates first, where that keeps the plan (FromListOrder).
            if let target = accesses.filter({ access in
                CandidateGenerator.candidates(for: access, catalog: catalog).contains { $0.predicate != nil || $0.keys.contains { $0.expression != nil } }
            }).max(by: { $0.table.rows < $1.table.rows }) {
                statement.planningSQL = FromListOrder.withFirst(statement.sql, table: target.table.name, schema: target.table.schema)
            }
            do {
                let plan: Plan
                do {
                    plan = try await session.explain(statement)
                } catch where statement.planningSQL != nil {
                    statement.planningSQL = nil
                    plan = try await session.explain(statement)
                }
                planned.append(PlannedStatement(statement: statement, shape: shape, accesses: accesses, baseline: plan))
            } catch {
                skipped.append(SkippedStatement(statement: statement.displayText, reason: Self.reason(error)))
            }
        }
        let baseCosts = planned.map(\.baseline.totalCost)
        let workloadTimeMs = workload.totalTimeMs
        func timeShare(_ statement: WorkloadStatement) -> Double? {
            guard workloadTimeMs > 0, let time = statement.totalTimeMs else { return nil }
            return time / workloadTimeMs * 100
        }
        let totalBefore = zip(planned, baseCosts).reduce(0) { $0 + $1.0.statement.calls * $1.1 }
        // What a statement's plan saves counts in its measured time, not in raw planner cost: see timeWeights.
        let weights = Self.timeWeights(calls: planned.map(\.statement.calls), timesMs: planned.map(\.statement.totalTimeMs), costs: baseCosts)
        func weighted(_ s: Int) -> Double { planned[s].statement.calls * weights[s] }

        // 2. Candidates, and the statements each may serve (those constraining its leading column).
        var candidates: [IndexCandidate] = []
        var relevant: [[Int]] = []
        for statement in planned {
            for access in statement.accesses {
                for candidate in CandidateGenerator.candidates(for: access, catalog: catalog) where !candidates.contains(candidate) {
                    candidates.append(candidate)
                    relevant.append(planned.indices.filter { j in
                        planned[j].accesses.contains { $0.table.oid == access.table.oid && $0.referencedColumns.contains(candidate.keys[0].column) }
                    })
                }
            }
        }
        let tableOfCandidate = candidates.map { candidate in catalog.tables.first { $0.qualifiedName == candidate.table }?.oid ?? 0 }
        let writes = writesPerTable(workload: workload, planned: planned, catalog: catalog, override: tableWrites)
        func penalty(_ c: Int) -> Double {
            Double(writes[tableOfCandidate[c]] ?? 0) * options.writeCostPerRow * (candidates[c].predicate == nil ? 1 : 0.5)
        }

        // 3. What-if costs, cached by (statement, the hypothetical indexes relevant to it): an index
        //    that does not touch a statement's columns does not change its plan.
        var relevantTo: [Set<Int>] = Array(repeating: [], count: planned.count)
        for (c, statements) in relevant.enumerated() { for s in statements { relevantTo[s].insert(c) } }
        var cache: [String: Double] = [:]
        var outlines: [String: String] = [:]
        var sizes: [Int: Int64] = [:]
        func key(_ s: Int, _ active: Set<Int>) -> String {
            "\(s)|" + active.intersection(relevantTo[s]).sorted().map(String.init).joined(separator: ",")
        }
        func evaluate(_ c: Int, selected: Set<Int>, current: [Double]) async throws -> (gain: Double, costs: [Int: Double]) {
            let active = selected.union([c])
            var costs: [Int: Double] = [:]
            let missing = relevant[c].filter { cache[key($0, active)] == nil }
            if !missing.isEmpty || sizes[c] == nil {
                let created = try await session.createHypotheticalIndex(candidates[c].definition)
                if sizes[c] == nil {
                    var withoutPredicate: Int64?
                    if candidates[c].predicate != nil {
                        var full = candidates[c]
                        full.predicate = nil
                        let sibling = try await session.createHypotheticalIndex(full.definition)
                        withoutPredicate = sibling.bytes
                        try await session.dropHypotheticalIndex(sibling.oid)
                    }
                    sizes[c] = IndexSizeEstimate.bytes(
                        hypoPG: created.bytes, hypoPGWithoutPredicate: withoutPredicate, candidate: candidates[c],
                        table: catalog.tables.first { $0.oid == tableOfCandidate[c] }, serverMajor: session.server.major
                    )
                }
                for s in missing {
                    var plan = try? await session.explain(planned[s].statement)
                    if let read = plan, candidates[c].predicate != nil, Self.readsPartialIndexWhole(read, indexOID: created.oid) { plan = nil }
                    cache[key(s, active)] = plan?.totalCost ?? current[s]
                    outlines[key(s, active)] = plan?.outline
                }
                try await session.dropHypotheticalIndex(created.oid)
            }
            var gain = 0.0
            for s in relevant[c] {
                let after = cache[key(s, active)] ?? current[s]
                costs[s] = after
                gain += weighted(s) * (current[s] - after)
            }
            return (gain - penalty(c), costs)
        }

        // 4. Atomic gains prune the pool; then greedy: each round adds the index that saves most.
        let simulable = candidates.indices.filter { candidates[$0].canSimulate }
        var pool: [(candidate: Int, gain: Double)] = []
        var rejections: [(candidate: Int, gain: Double, reason: String)] = []
        // Each statement's own best candidate, so that a statement whose fix saves less than the
        // fixes of the workload's heaviest statements still has it in the pool.
        // Also its best one without INCLUDE: a covering candidate can later prove not to pay.
        var bestFor: [Int: (candidate: Int, saving: Double)] = [:]
        var bestPlainFor: [Int: (candidate: Int, saving: Double)] = [:]
        for c in simulable {
            let (gain, costs) = try await evaluate(c, selected: [], current: baseCosts)
            if gain > 0 {
                for (s, cost) in costs {
                    let saving = weighted(s) * (baseCosts[s] - cost)
                    if saving > 0, saving > bestFor[s]?.saving ?? 0 { bestFor[s] = (c, saving) }
                    if saving > 0, candidates[c].include.isEmpty, saving > bestPlainFor[s]?.saving ?? 0 { bestPlainFor[s] = (c, saving) }
                }
                pool.append((c, gain))
            } else if gain + penalty(c) > 0 {
                rejections.append((c, gain, "saves \(Self.format(gain + penalty(c))) cost units but its write cost is \(Self.format(penalty(c)))"))
            } else {
                rejections.append((c, gain, "no statement's plan gets cheaper with it"))
            }
        }
        pool.sort { $0.gain != $1.gain ? $0.gain > $1.gain : $0.candidate < $1.candidate }
        let statementsBest = Set(bestFor.values.map(\.candidate) + bestPlainFor.values.map(\.candidate))
        var remaining = pool.enumerated().filter { $0.offset < options.candidatePool || statementsBest.contains($0.element.candidate) }.map(\.element.candidate)
        for (c, gain) in pool.dropFirst(options.candidatePool) where !statementsBest.contains(c) {
            rejections.append((c, gain, "not among the \(options.candidatePool) most promising candidates, nor any statement's best"))
        }
        var lastGain: [Int: Double] = [:]
        var hypotheticalOIDs: [Int: Int64] = [:]
        var selected: [Int] = []
        var current = baseCosts
        var servedBy: [Int: [ServedStatement]] = [:]
        var gains: [Int: Double] = [:]
        var bytesUsed: Int64 = 0
        // A covering candidate and the same index without its INCLUDE columns.
        let uncovered: [Int: Int] = Dictionary(uniqueKeysWithValues: candidates.indices.compactMap { c in
            guard !candidates[c].include.isEmpty else { return nil }
            var base = candidates[c]
            base.include = []
            return candidates.firstIndex(of: base).map { (c, $0) }
        })
        var includeDoesNotPay: Set<Int> = []
        // Under a byte budget, a chosen index whose keys a wider candidate starts with is replaced by
        // it (what the narrow one serves, the wide one serves too): the wider needs only the difference.
        func replaced(by c: Int) -> Int? {
            guard options.maxBytes != nil else { return nil }
            let wide = candidates[c]
            return selected.first { s in
                let narrow = candidates[s]
                return narrow.table == wide.table && narrow.predicate == wide.predicate && narrow.method == wide.method && narrow.include.isEmpty
                    && wide.keys.count > narrow.keys.count && Array(wide.keys.prefix(narrow.keys.count)) == narrow.keys
            }
        }
        func addedBytes(_ c: Int) -> Int64? {
            guard let size = sizes[c] else { return nil }
            return size - (replaced(by: c).flatMap { sizes[$0] } ?? 0)
        }
        // What statement `s` costs with the hypothetical indexes `active` (those in the session now), cached.
        func plannedCost(_ s: Int, with active: Set<Int>) async -> Double {
            if let known = cache[key(s, active)] { return known }
            let cost = (try? await session.explain(planned[s].statement).totalCost) ?? current[s]
            cache[key(s, active)] = cost
            return cost
        }
        // Worth an index: a share of what the workload still costs (not of the cost before the first
        // index: one catastrophic statement fixed early would hide every later gain), or half the cost of
        // what it serves: the statements whose plans get cheaper with it, not every statement that
        // touches its leading column (a busy listing on the same column would hide it).
        // Under --max-bytes the user has priced the space: an index that fits is worth a tenth of the
        // minimum gain (TPC-H within Index-EAB's 23 MB: `part (p_brand)` saves Q19 a third of its plan, 0.9 %
        // of the workload; `(l_shipdate, l_discount)` over `(l_shipdate)` plans 2 % cheaper for Q6 and
        // runs 30 % faster; both were left out with 8 MB of the budget unused; now the part index is taken).
        let minimumGainShare = options.minGainPercent / 100 * (options.maxBytes == nil ? 1 : Self.budgetedMinimumGainFactor)
        func worthAnIndex(_ gain: Double, costs: [Int: Double], given costsNow: [Double], remainingCost: Double) -> Bool {
            let servedCost = costs.filter { $0.value < costsNow[$0.key] * 0.99 }.keys.reduce(0.0) { $0 + weighted($1) * costsNow[$1] }
            return gain > 0 && (gain >= remainingCost * minimumGainShare || (servedCost > 0 && gain >= servedCost / 2))
        }
        // The statements a just-chosen index makes at least 1 % cheaper, at their new costs.
        func serve(_ costs: [Int: Double]) -> [ServedStatement] {
            var served: [ServedStatement] = []
            for (s, after) in costs.sorted(by: { $0.key < $1.key }) where after < current[s] * 0.99 {
                served.append(ServedStatement(
                    statement: planned[s].statement.displayText, calls: planned[s].statement.calls, costBefore: baseCosts[s], costAfter: after,
                    timeSharePercent: timeShare(planned[s].statement), planBefore: planned[s].baseline.outline,
                    planAfter: outlines[key(s, Set(selected))]
                ))
                current[s] = after
            }
            return served
        }
        // --max-bytes caps the indexes as built; the selection fills it from size estimates (within
        // 10 % an index, a few percent low on text and timestamp keys), so it keeps some headroom.
        let byteBudget = options.maxBytes.map { Int64((Double($0) * (1 - Self.byteBudgetHeadroom)).rounded(.down)) }
        // Greedy rounds, then pruning (5.); when the rounds stopped at --max-indexes and pruning freed
        // slots (small indexes chosen first, then made useless by wider ones), the rounds go on.
        for pass in 0..<Self.selectionPasses {
            var prunedAny = false
            while selected.count < options.maxIndexes && !remaining.isEmpty {
                var best: (candidate: Int, gain: Double, costs: [Int: Double])?
                let remainingCost = current.indices.reduce(0.0) { $0 + weighted($1) * current[$1] }
                for c in remaining {
                    if let maxBytes = byteBudget, let size = addedBytes(c), bytesUsed + size > maxBytes { continue }
                    // A covering index whose INCLUDE did not pay next to its keys does not come back
                    // because pruning took the keys out for a wider index that starts with them.
                    if pass > 0 && includeDoesNotPay.contains(c) { continue }
                    let (gain, costs) = try await evaluate(c, selected: Set(selected), current: current)
                    lastGain[c] = gain
                    guard worthAnIndex(gain, costs: costs, given: current, remainingCost: remainingCost) else { continue }
                    // INCLUDE only when an index-only scan pays: the plan must read this index alone
                    // and save clearly more than the same keys without the extra columns.
                    if let base = uncovered[c] {
                        // With its keys already chosen, this index would replace them: what it adds is
                        // its whole gain, measured against what those keys saved when they were chosen.
                        let extra: Double, reference: Double
                        if selected.contains(base) {
                            (extra, reference) = (gain, gains[base] ?? 0)
                        } else {
                            let (baseGain, _) = try await evaluate(base, selected: Set(selected), current: current)
                            (extra, reference) = (gain - baseGain, baseGain)
                        }
                        let active = Set(selected).union([c])
                        let indexOnly = costs.keys.contains { outlines[key($0, active)]?.contains("Index Only Scan") == true }
                        guard indexOnly, extra >= reference * Self.includeMinimumExtraGain else {
                            includeDoesNotPay.insert(c)
                            continue
                        }
                        includeDoesNotPay.remove(c)
                    }
                    if let current = best {
                        if options.maxBytes != nil {
                            // Under a byte budget, the saving per byte decides: one large index that saves
                            // a little more would crowd out several that together save more.
                            guard gain / Double(max(1, addedBytes(c) ?? .max)) > current.gain / Double(max(1, addedBytes(current.candidate) ?? .max)) else { continue }
                        } else {
                            // Within 1 % of the best gain, the smaller index wins (a partial or narrower one).
                            let smaller = (sizes[c] ?? .max) < (sizes[current.candidate] ?? .max)
                            guard gain > current.gain * 1.01 || (gain >= current.gain * 0.99 && smaller) else { continue }
                        }
                    }
                    best = (c, gain, costs)
                }
                guard let best else { break }
                let narrow = replaced(by: best.candidate)
                let created = try await session.createHypotheticalIndex(candidates[best.candidate].definition)
                hypotheticalOIDs[best.candidate] = created.oid
                bytesUsed += sizes[best.candidate] ?? created.bytes
                selected.append(best.candidate)
                gains[best.candidate] = best.gain
                remaining.removeAll { $0 == best.candidate }
                var served = serve(best.costs)
                if let narrow, let oid = hypotheticalOIDs.removeValue(forKey: narrow) {
                    try await session.dropHypotheticalIndex(oid)
                    selected.removeAll { $0 == narrow }
                    bytesUsed -= sizes[narrow] ?? 0
                    // What the narrow index served, the wide one serves now, at the cost it plans with.
                    for var statement in servedBy.removeValue(forKey: narrow) ?? [] {
                        guard let s = planned.firstIndex(where: { $0.statement.displayText == statement.statement }) else { continue }
                        let plan = try? await session.explain(planned[s].statement)
                        current[s] = plan?.totalCost ?? current[s]
                        statement.costAfter = current[s]
                        statement.planAfter = plan?.outline ?? statement.planAfter
                        if !served.contains(where: { $0.statement == statement.statement }) { served.append(statement) }
                    }
                    gains[best.candidate] = best.gain + (gains[narrow] ?? 0)
                    rejections.append((narrow, gains[narrow] ?? 0, "replaced by the wider \(candidates[best.candidate].definition), which serves its statements too (under --max-bytes)"))
                }
                servedBy[best.candidate] = served
            }
            let stoppedAtLimit = selected.count >= options.maxIndexes
            // 5. A later, wider choice can make an earlier one useless: if the workload costs (nearly)
            //    the same without it, it goes and is listed as rejected with that reason.
            for c in selected where selected.count > 1 {
                guard let oid = hypotheticalOIDs[c] else { continue }
                try await session.dropHypotheticalIndex(oid)
                var without: [Int: Double] = [:]
                var loss = 0.0
                let rest = Set(selected).subtracting([c])
                for s in relevant[c] {
                    let cost = await plannedCost(s, with: rest)
                    without[s] = cost
                    loss += weighted(s) * (cost - current[s])
                }
                if loss <= penalty(c) + 0.02 * (gains[c] ?? 0) {
                    for (s, cost) in without { current[s] = cost }
                    bytesUsed -= sizes[c] ?? 0
                    selected.removeAll { $0 == c }
                    hypotheticalOIDs[c] = nil
                    prunedAny = true
                    rejections.append((c, gains[c] ?? 0, "chosen first, then the later choices served its statements as well (without it they cost \(Self.format(max(0, loss))) more)"))
                } else {
                    hypotheticalOIDs[c] = try await session.createHypotheticalIndex(candidates[c].definition).oid
                }
            }
            guard stoppedAtLimit, prunedAny, !remaining.isEmpty else { break }
        }
        // 6. Under --max-bytes, or when the rounds stopped at --max-indexes, swaps: greedy (by saving per
        //    byte, or by saving) can fill the budget with indexes that together save less than another
        //    choice would (a large index left out for two small ones, or the reverse; the tenth slot
        //    taken before a later round would have found a better use). Each chosen index is taken out
        //    in turn and every pooled candidate that fits what it frees is costed in its place; the
        //    best swap that saves more is made.
        if options.maxBytes != nil || selected.count >= options.maxIndexes {
            let maxBytes = byteBudget ?? .max
            let swappable = pool.map(\.candidate)
            for _ in 0..<Self.swapRounds {
                var bestSwap: (out: Int, into: Int, gain: Double, net: Double, costs: [Int: Double], without: [Double])?
                for out in selected {
                    guard let oid = hypotheticalOIDs[out] else { continue }
                    try await session.dropHypotheticalIndex(oid)
                    let rest = Set(selected).subtracting([out])
                    var without = current
                    var loss = 0.0
                    for s in relevant[out] {
                        let cost = await plannedCost(s, with: rest)
                        without[s] = cost
                        loss += weighted(s) * (cost - current[s])
                    }
                    let freed = bytesUsed - (sizes[out] ?? 0)
                    let remainingCost = without.indices.reduce(0.0) { $0 + weighted($1) * without[$1] }
                    for c in swappable where !selected.contains(c) && !includeDoesNotPay.contains(c) {
                        guard let size = sizes[c], freed <= maxBytes - size else { continue }
                        let (gain, costs) = try await evaluate(c, selected: rest, current: without)
                        // Worth an index by the greedy rounds' own rule, in the set without `out`.
                        guard worthAnIndex(gain, costs: costs, given: without, remainingCost: remainingCost) else { continue }
                        let net = gain - loss + penalty(out)
                        guard net > Self.swapMinimumGain * max(gains[out] ?? 0, 1), net > bestSwap?.net ?? 0 else { continue }
                        bestSwap = (out, c, gain, net, costs, without)
                    }
                    hypotheticalOIDs[out] = try await session.createHypotheticalIndex(candidates[out].definition).oid
                }
                guard let swap = bestSwap, let oid = hypotheticalOIDs.removeValue(forKey: swap.out) else { break }
                try await session.dropHypotheticalIndex(oid)
                selected.removeAll { $0 == swap.out }
                bytesUsed -= sizes[swap.out] ?? 0
                current = swap.without
                hypotheticalOIDs[swap.into] = try await session.createHypotheticalIndex(candidates[swap.into].definition).oid
                bytesUsed += sizes[swap.into] ?? 0
                selected.append(swap.into)
                servedBy[swap.into] = serve(swap.costs)
                servedBy[swap.out] = nil
                gains[swap.into] = swap.gain
                remaining.removeAll { $0 == swap.into }
                let limit = options.maxBytes != nil ? "--max-bytes" : "--max-indexes \(options.maxIndexes)"
                rejections.append((swap.out, gains[swap.out] ?? 0, "swapped for \(candidates[swap.into].definition) under \(limit): within the same budget it saves more"))
            }
        }
        let totalAfter = zip(planned, current).reduce(0) { $0 + $1.0.statement.calls * $1.1 }
        for c in remaining {
            let reason: String
            if includeDoesNotPay.contains(c) {
                reason = "its INCLUDE columns do not pay: no index-only scan that saves \(Int(Self.includeMinimumExtraGain * 100)) % more than the same keys without them"
            } else if let maxBytes = byteBudget, let size = addedBytes(c), bytesUsed + size > maxBytes {
                reason = "needs \(size) bytes, more than the --max-bytes budget has left (\(max(0, maxBytes - bytesUsed)))"
            } else if selected.count >= options.maxIndexes {
                reason = "over --max-indexes \(options.maxIndexes)"
            } else if let gain = lastGain[c] {
                reason = "with the chosen indexes it would save only \(Self.format(max(0, gain))) cost units: under --min-gain-percent of the workload and under half of what its statements still cost"
            } else {
                reason = "not reached"
            }
            rejections.append((c, lastGain[c] ?? 0, reason))
        }
        try await session.resetHypotheticalIndexes()

        var recommendations = selected.map { c in
            IndexRecommendation(
                candidate: candidates[c], ddl: candidates[c].migrationDDL, estimatedBytes: sizes[c] ?? 0, netGain: gains[c] ?? 0,
                writePenalty: penalty(c), simulated: true, serves: servedBy[c] ?? [], verifiedCostAfter: nil
            )
        }

        // 7. GIN by rule: full-text and substring searches that scan a large table.
        for c in candidates.indices where !candidates[c].canSimulate && recommendations.count < options.maxIndexes {
            let table = catalog.tables.first { $0.oid == tableOfCandidate[c] }
            guard let table, table.rows >= 1000 else { continue }
            let scanning = relevant[c].filter { s in
                planned[s].baseline.root.allNodes.contains { $0.nodeType == "Seq Scan" && $0.relationName == table.name }
            }
            guard !scanning.isEmpty else { continue }
            recommendations.append(IndexRecommendation(
                candidate: candidates[c], ddl: candidates[c].migrationDDL, estimatedBytes: 0, netGain: 0, writePenalty: penalty(c),
                simulated: false,
                serves: scanning.map {
                    ServedStatement(
                        statement: planned[$0].statement.displayText, calls: planned[$0].statement.calls, costBefore: baseCosts[$0], costAfter: baseCosts[$0],
                        timeSharePercent: timeShare(planned[$0].statement), planBefore: planned[$0].baseline.outline, planAfter: nil
                    )
                },
                verifiedCostAfter: nil
            ))
        }

        // 8. Existing indexes: invalid, duplicate, overlapping, unused.
        let chosen = Set(recommendations.map(\.candidate))
        var listed: Set<Int> = []
        let rejected = rejections.filter { !chosen.contains(candidates[$0.candidate]) && listed.insert($0.candidate).inserted }.sorted { $0.gain > $1.gain }.prefix(20)
            .map { RejectedCandidate(definition: candidates[$0.candidate].definition, reason: $0.reason) }
        let usedIndexes = Set(planned.flatMap { $0.baseline.root.allNodes.compactMap(\.indexName) })
        let drops = ExistingIndexReview.review(catalog: catalog, usedByWorkload: usedIndexes)
        // One name per index, none the database has already: a repeat gets `_2`, `_3` … before `_idx`.
        var takenNames = Set(catalog.indexes.map(\.name))
        for i in recommendations.indices {
            let name = recommendations[i].candidate.name(avoiding: takenNames)
            takenNames.insert(name)
            recommendations[i].ddl = recommendations[i].candidate.migrationDDL(named: name)
        }

        return Advice(
            serverVersion: session.server.versionNumber, source: workload.source.rawValue, statementsAnalyzed: planned.count,
            workloadCostBefore: totalBefore, workloadCostAfter: totalAfter, workloadCostVerified: nil,
            indexes: recommendations, drops: drops, skipped: skipped, rejected: Array(rejected)
        )
    }

    /// Weights that turn each statement's planner cost into its share of measured DB time.
    ///
    /// Cost units are not comparable across statements: on django-helpdesk a follow-up listing that
    /// sorts (8 calls, 19 ms each) plans at 6,181 units, a count by `kbitem_id` (360 calls, 2.3 ms) at
    /// 3,120, so by cost alone the listing's index saved a twentieth of the count's where it saves
    /// a fifth of its time. When the workload has times (pg_stat_statements, the app's statistics), a
    /// statement's weight is its milliseconds per cost unit over the workload's, clamped to 1/10…10
    /// (a statement that waited on a lock is not ten times dearer to plan); a saving is then
    /// calls × weight × Δcost: still cost units, now in proportion to DB time. Without times, 1.
    static func timeWeights(calls: [Double], timesMs: [Double?], costs: [Double]) -> [Double] {
        var totalTime = 0.0, totalCost = 0.0
        for i in calls.indices {
            guard let time = timesMs[i], time > 0, costs[i] > 0, calls[i] > 0 else { continue }
            totalTime += time
            totalCost += calls[i] * costs[i]
        }
        guard totalTime > 0, totalCost > 0 else { return Array(repeating: 1, count: calls.count) }
        let overall = totalTime / totalCost
        return calls.indices.map { i in
            guard let time = timesMs[i], time > 0, costs[i] > 0, calls[i] > 0 else { return 1 }
            return min(10, max(0.1, time / (calls[i] * costs[i]) / overall))
        }
    }

    /// Rounds of greedy selection and pruning at most.
    static let selectionPasses = 4

    /// The share of --max-bytes the selection leaves for the size estimates' error.
    static let byteBudgetHeadroom = 0.03
    /// Under --max-bytes, the share of the minimum gain an index must save (the budget prices the space).
    static let budgetedMinimumGainFactor = 0.1

    /// Rounds of swaps at most (under --max-bytes, or at --max-indexes), and how much a swap must save
    /// (a share of what the index it takes out saved, so that two near-equal sets do not trade places
    /// on planner noise).
    static let swapRounds = 3
    static let swapMinimumGain = 0.05

    /// How much more a covering index must save than its keys alone (a share of their gain).
    static let includeMinimumExtraGain = 0.1

    static func format(_ value: Double) -> String { String(format: "%.0f", value) }

    /// Rows written per table over the workload's time base.
    func writesPerTable(workload: Workload, planned: [PlannedStatement], catalog: Catalog, override: [Int64: Int64]?) -> [Int64: Int64] {
        if let override { return override }
        if workload.source == .statStatements {
            return Dictionary(catalog.tables.map { ($0.oid, $0.writes) }, uniquingKeysWith: { $1 })
        }
        // A file or the app's statistics: the workload's own writes, one row per call.
        var writes: [Int64: Int64] = [:]
        for statement in planned where [.insert, .update, .delete].contains(statement.shape.kind) {
            if let target = statement.shape.tables.first, let table = catalog.table(named: target.name, schema: target.schema) {
                writes[table.oid, default: 0] += Int64(statement.statement.calls)
            }
        }
        return writes
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] { return message }
        return String(describing: error)
    }
}
