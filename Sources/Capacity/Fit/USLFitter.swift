/// Least-squares fit of the USL to measured points: Levenberg–Marquardt with σ, κ ≥ 0 and λ > 0.
///
/// Unweighted squared error in throughput, as the R `usl` package minimises, so the published
/// coefficients can be checked. The bounds are handled by an active set: the full fit, and the fits
/// with κ and/or σ held at zero, each started from the low-load slope; the feasible fit with the
/// least squared error wins. With three unknowns this is exact, not a heuristic.
public enum USLFitter {
    /// The fitted model and its sum of squared residuals.
    public struct Solution: Sendable, Equatable {
        public var model: USLModel
        public var squaredError: Double
    }

    /// Fits `points` (at least one); `start` seeds the search (the bootstrap passes the full-data fit).
    public static func fit(_ points: [LoadPoint], start: USLModel? = nil) -> Solution {
        let loads = points.map(\.concurrency)
        let rates = points.map(\.throughput)
        var starts = start.map { [$0] } ?? []
        let initial = startingModel(loads: loads, rates: rates)
        starts.append(initial)
        starts.append(USLModel(sigma: initial.sigma, kappa: initial.kappa, lambda: initial.lambda * 1.3))
        var best: Solution?
        // Free parameters as a mask over (λ, σ, κ): the interior fit and the three boundary faces.
        let faces: [[Bool]] = [[true, true, true], [true, true, false], [true, false, true], [true, false, false]]
        for face in faces {
            for seed in starts {
                var parameters = [seed.lambda, face[1] ? seed.sigma : 0, face[2] ? seed.kappa : 0]
                if face[1] && parameters[1] == 0 { parameters[1] = 1e-3 }
                if face[2] && parameters[2] == 0 { parameters[2] = 1e-5 }
                let solved = levenbergMarquardt(loads: loads, rates: rates, parameters: parameters, free: face)
                if best == nil || solved.squaredError < (best?.squaredError ?? .infinity) * (1 - 1e-12) { best = solved }
            }
        }
        return best ?? Solution(model: initial, squaredError: squaredError(initial, loads: loads, rates: rates))
    }

    /// λ from the best per-worker rate (X/N ≤ λ whenever σ, κ ≥ 0), then σ and κ by linear least squares
    /// on λN/X − 1 = σ(N−1) + κN(N−1), clipped at zero.
    static func startingModel(loads: [Double], rates: [Double]) -> USLModel {
        let lambda = zip(loads, rates).map { $1 / max($0, 1e-9) }.max() ?? 1
        var rows: [(x1: Double, x2: Double, y: Double)] = []
        for (load, rate) in zip(loads, rates) where rate > 0 {
            rows.append((load - 1, load * (load - 1), lambda * load / rate - 1))
        }
        let s11 = rows.reduce(0) { $0 + $1.x1 * $1.x1 }, s12 = rows.reduce(0) { $0 + $1.x1 * $1.x2 }
        let s22 = rows.reduce(0) { $0 + $1.x2 * $1.x2 }
        let b1 = rows.reduce(0) { $0 + $1.x1 * $1.y }, b2 = rows.reduce(0) { $0 + $1.x2 * $1.y }
        var sigma = 0.0, kappa = 0.0
        if let both = solveLinearSystem([[s11, s12], [s12, s22]], [b1, b2]), both[0] >= 0, both[1] >= 0 {
            sigma = both[0]
            kappa = both[1]
        } else if s11 > 0, b1 / s11 >= 0 {
            sigma = b1 / s11
        } else if s22 > 0 {
            kappa = max(0, b2 / s22)
        }
        return USLModel(sigma: sigma, kappa: kappa, lambda: lambda)
    }

    static func squaredError(_ model: USLModel, loads: [Double], rates: [Double]) -> Double {
        zip(loads, rates).reduce(0) { sum, point in
            let residual = point.1 - model.throughput(at: point.0)
            return sum + residual * residual
        }
    }

    static func levenbergMarquardt(loads: [Double], rates: [Double], parameters start: [Double], free: [Bool]) -> Solution {
        func model(_ p: [Double]) -> USLModel { USLModel(sigma: p[1], kappa: p[2], lambda: p[0]) }
        let freeIndices = free.indices.filter { free[$0] }
        var p = start
        var error = squaredError(model(p), loads: loads, rates: rates)
        var damping = 1e-3
        for _ in 0..<500 {
            let current = model(p)
            // Jacobian of the model in the free parameters, and the residuals.
            var jtj = [[Double]](repeating: [Double](repeating: 0, count: freeIndices.count), count: freeIndices.count)
            var jtr = [Double](repeating: 0, count: freeIndices.count)
            for (load, rate) in zip(loads, rates) {
                let d = current.slowdown(at: load)
                let full = [load / d, -current.lambda * load * (load - 1) / (d * d), -current.lambda * load * load * (load - 1) / (d * d)]
                let row = freeIndices.map { full[$0] }
                let residual = rate - current.throughput(at: load)
                for i in row.indices {
                    jtr[i] += row[i] * residual
                    for j in row.indices { jtj[i][j] += row[i] * row[j] }
                }
            }
            var improved = false
            while damping < 1e16 {
                var system = jtj
                for i in system.indices { system[i][i] += damping * max(jtj[i][i], 1e-300) }
                guard let step = solveLinearSystem(system, jtr) else {
                    damping *= 10
                    continue
                }
                var candidate = p
                for (k, index) in freeIndices.enumerated() { candidate[index] += step[k] }
                candidate[0] = max(candidate[0], 1e-12)
                candidate[1] = max(candidate[1], 0)
                candidate[2] = max(candidate[2], 0)
                let candidateError = squaredError(model(candidate), loads: loads, rates: rates)
                if candidateError.isFinite && candidateError < error {
                    let relative = (error - candidateError) / max(error, 1e-300)
                    p = candidate
                    error = candidateError
                    damping = max(damping / 3, 1e-12)
                    improved = relative > 1e-14
                    break
                }
                damping *= 4
            }
            if !improved { break }
        }
        return Solution(model: model(p), squaredError: error)
    }
}
