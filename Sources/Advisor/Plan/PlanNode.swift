import Foundation

/// One node of an `EXPLAIN (FORMAT JSON)` plan.
public struct PlanNode: Sendable, Codable, Equatable {
    public var nodeType: String
    public var relationName: String?
    public var alias: String?
    public var indexName: String?
    public var startupCost: Double
    public var totalCost: Double
    public var planRows: Double
    public var planWidth: Int
    public var actualRows: Double?
    public var actualLoops: Double?
    public var filter: String?
    public var indexCond: String?
    public var recheckCond: String?
    public var hashCond: String?
    public var mergeCond: String?
    public var joinFilter: String?
    public var joinType: String?
    public var sortKey: [String]?
    public var sortMethod: String?
    public var sortSpaceType: String?
    public var rowsRemovedByFilter: Double?
    public var plans: [PlanNode]?

    enum CodingKeys: String, CodingKey {
        case nodeType = "Node Type", relationName = "Relation Name", alias = "Alias", indexName = "Index Name"
        case startupCost = "Startup Cost", totalCost = "Total Cost", planRows = "Plan Rows", planWidth = "Plan Width"
        case actualRows = "Actual Rows", actualLoops = "Actual Loops", filter = "Filter", indexCond = "Index Cond"
        case recheckCond = "Recheck Cond", hashCond = "Hash Cond", mergeCond = "Merge Cond", joinFilter = "Join Filter"
        case joinType = "Join Type", sortKey = "Sort Key", sortMethod = "Sort Method", sortSpaceType = "Sort Space Type"
        case rowsRemovedByFilter = "Rows Removed by Filter", plans = "Plans"
    }

    public init(nodeType: String, relationName: String? = nil, totalCost: Double = 0, planRows: Double = 0, filter: String? = nil, plans: [PlanNode]? = nil) {
        self.nodeType = nodeType
        self.relationName = relationName
        self.startupCost = 0
        self.totalCost = totalCost
        self.planRows = planRows
        self.planWidth = 0
        self.filter = filter
        self.plans = plans
    }

    /// This node and all below it, depth first.
    public var allNodes: [PlanNode] {
        [self] + (plans ?? []).flatMap(\.allNodes)
    }

    /// Rows the node really produced over all loops (ANALYZE only).
    public var actualTotalRows: Double? {
        actualRows.map { $0 * (actualLoops ?? 1) }
    }

    /// The node's conditions, for rules that read them.
    public var conditions: [String] {
        [filter, indexCond, recheckCond, hashCond, mergeCond, joinFilter].compactMap { $0 }
    }
}

/// A whole plan: the root node plus timings when analyzed.
public struct Plan: Sendable, Codable, Equatable {
    public var root: PlanNode
    public var planningTime: Double?
    public var executionTime: Double?

    enum CodingKeys: String, CodingKey {
        case root = "Plan", planningTime = "Planning Time", executionTime = "Execution Time"
    }

    public init(root: PlanNode) {
        self.root = root
    }

    /// The estimated total cost of the statement.
    public var totalCost: Double { root.totalCost }

    /// A one-line outline of the plan's main nodes, depth first: `Limit > Sort > Seq Scan on users`.
    /// HypoPG's `<13556>btree_users_email` index names are kept: they say which candidate served.
    public var outline: String {
        let nodes = root.allNodes.prefix(6).map { node -> String in
            var text = node.nodeType
            if let index = node.indexName { text += " using \(index)" }
            if let relation = node.relationName { text += " on \(relation)" }
            return text
        }
        return nodes.joined(separator: " > ")
    }

    /// Parses the text of `EXPLAIN (FORMAT JSON)` (an array with one plan).
    public static func parse(json: String) throws -> Plan {
        let plans = try JSONDecoder().decode([Plan].self, from: Data(json.utf8))
        guard let plan = plans.first else { throw AdvisorError.unreadablePlan }
        return plan
    }
}
