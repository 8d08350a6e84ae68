/// Derivative-free minimisation (Nelder–Mead simplex) for a few parameters; infinite cost marks infeasible points.
enum NelderMead {
    static func minimise(_ cost: ([Double]) -> Double, start: [Double], scale: Double, iterations: Int) -> [Double] {
        let n = start.count
        var simplex: [[Double]] = [start]
        for i in 0..<n {
            var vertex = start
            vertex[i] += vertex[i] + scale <= 1 ? scale : -scale
            simplex.append(vertex)
        }
        var costs = simplex.map(cost)
        for _ in 0..<iterations {
            let order = costs.indices.sorted { costs[$0] < costs[$1] }
            simplex = order.map { simplex[$0] }
            costs = order.map { costs[$0] }
            guard let worstCost = costs.last, let bestCost = costs.first, worstCost - bestCost > 1e-12 * max(1, abs(bestCost)) else { break }
            let centroid = (0..<n).map { i in simplex.dropLast().reduce(0) { $0 + $1[i] } / Double(n) }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1), reflectedCost = cost(reflected)
            if reflectedCost < costs[0] {
                let expanded = along(-2), expandedCost = cost(expanded)
                (simplex[n], costs[n]) = expandedCost < reflectedCost ? (expanded, expandedCost) : (reflected, reflectedCost)
            } else if reflectedCost < costs[n - 1] {
                (simplex[n], costs[n]) = (reflected, reflectedCost)
            } else {
                let contracted = along(0.5), contractedCost = cost(contracted)
                if contractedCost < costs[n] {
                    (simplex[n], costs[n]) = (contracted, contractedCost)
                } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        costs[i] = cost(simplex[i])
                    }
                }
            }
        }
        let best = costs.indices.min { costs[$0] < costs[$1] } ?? 0
        return simplex[best]
    }
}
