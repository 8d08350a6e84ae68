/// The category tree, loaded whole (it is small) so a listing can expand a category to its subtree
/// without a recursive query per request.
public struct CategoryTree: Sendable {
    public struct Row: Sendable {
        public var id: Int
        public var parentID: Int?
        public var slug: String
        public var name: String
    }

    let rows: [Int: Row]
    let children: [Int: [Int]]
    let roots: [Int]

    public init(rows: [Row]) {
        var byID: [Int: Row] = [:]
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        for row in rows.sorted(by: { $0.id < $1.id }) {
            byID[row.id] = row
            if let parent = row.parentID { children[parent, default: []].append(row.id) } else { roots.append(row.id) }
        }
        self.rows = byID
        self.children = children
        self.roots = roots
    }

    public func contains(_ id: Int) -> Bool { rows[id] != nil }

    public func row(_ id: Int) -> Row? { rows[id] }

    /// The category and all its descendants.
    public func subtree(of id: Int) -> [Int] {
        var result: [Int] = []
        var stack = [id]
        while let next = stack.popLast() {
            result.append(next)
            stack.append(contentsOf: children[next] ?? [])
        }
        return result.sorted()
    }

    /// The whole tree as nested nodes.
    public var nodes: [CategoryNode] {
        func node(_ id: Int) -> CategoryNode? {
            guard let row = rows[id] else { return nil }
            return CategoryNode(id: row.id, slug: row.slug, name: row.name, children: (children[id] ?? []).compactMap(node))
        }
        return roots.compactMap(node)
    }
}
