/// Keys in order of last use, with O(1) touch, insert, remove and oldest: a doubly linked list in
/// arrays (slot indices instead of references, so the cache state stays a value type).
struct RecencyList<Key: Hashable & Sendable>: Sendable {
    private struct Node: Sendable {
        var key: Key
        var older: Int
        var newer: Int
    }

    private var nodes: [Node?] = []
    private var free: [Int] = []
    private var slots: [Key: Int] = [:]
    private var newest = -1
    private var oldestSlot = -1

    var count: Int { slots.count }

    /// The least recently used key.
    var oldest: Key? { oldestSlot >= 0 ? nodes[oldestSlot]?.key : nil }

    func contains(_ key: Key) -> Bool { slots[key] != nil }

    /// Marks `key` as just used, inserting it if needed.
    mutating func touch(_ key: Key) {
        if let slot = slots[key] {
            unlink(slot)
            link(slot)
            return
        }
        let node = Node(key: key, older: -1, newer: -1)
        let slot: Int
        if let reused = free.popLast() {
            nodes[reused] = node
            slot = reused
        } else {
            nodes.append(node)
            slot = nodes.count - 1
        }
        slots[key] = slot
        link(slot)
    }

    mutating func remove(_ key: Key) {
        guard let slot = slots.removeValue(forKey: key) else { return }
        unlink(slot)
        nodes[slot] = nil
        free.append(slot)
    }

    mutating func removeAll() {
        self = RecencyList()
    }

    private mutating func unlink(_ slot: Int) {
        guard let node = nodes[slot] else { return }
        if node.older >= 0 { nodes[node.older]?.newer = node.newer } else { oldestSlot = node.newer }
        if node.newer >= 0 { nodes[node.newer]?.older = node.older } else { newest = node.older }
    }

    private mutating func link(_ slot: Int) {
        nodes[slot]?.older = newest
        nodes[slot]?.newer = -1
        if newest >= 0 { nodes[newest]?.newer = slot }
        newest = slot
        if oldestSlot < 0 { oldestSlot = slot }
    }
}

/// How often keys were asked for recently: a count-min sketch of 4 rows with halving (aging) every
/// `sampleSize` increments, as TinyLFU uses to admit a new entry only if it is asked for more often
/// than the entry it would evict.
struct FrequencySketch: Sendable {
    private var table: [UInt8]
    private let mask: Int
    private var additions = 0
    private let sampleSize: Int

    init(capacity: Int) {
        var width = 16
        while width < max(16, capacity) { width <<= 1 }
        table = Array(repeating: 0, count: width * 4)
        mask = width - 1
        sampleSize = 10 * max(16, capacity)
    }

    private func index(_ hash: Int, row: Int) -> Int {
        var h = UInt64(bitPattern: Int64(hash)) &+ UInt64(row) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        return row * (mask + 1) + Int(h & UInt64(mask))
    }

    func estimate(_ hash: Int) -> Int {
        (0..<4).map { Int(table[index(hash, row: $0)]) }.min() ?? 0
    }

    mutating func increment(_ hash: Int) {
        for row in 0..<4 {
            let i = index(hash, row: row)
            if table[i] < 15 { table[i] += 1 }
        }
        additions += 1
        if additions >= sampleSize {
            for i in table.indices { table[i] >>= 1 }
            additions /= 2
        }
    }
}
