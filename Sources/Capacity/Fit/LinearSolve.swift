/// Solves the small dense system A x = b by Gaussian elimination with partial pivoting; nil when singular.
///
/// The fits here have at most three unknowns, so a textbook solver is all that is needed.
func solveLinearSystem(_ matrix: [[Double]], _ vector: [Double]) -> [Double]? {
    let size = vector.count
    guard matrix.count == size, matrix.allSatisfy({ $0.count == size }) else { return nil }
    var a = matrix
    var b = vector
    for column in 0..<size {
        var pivot = column
        for row in column..<size where abs(a[row][column]) > abs(a[pivot][column]) { pivot = row }
        guard abs(a[pivot][column]) > 1e-300 else { return nil }
        if pivot != column {
            a.swapAt(pivot, column)
            b.swapAt(pivot, column)
        }
        for row in (column + 1)..<size {
            let factor = a[row][column] / a[column][column]
            guard factor != 0 else { continue }
            for k in column..<size { a[row][k] -= factor * a[column][k] }
            b[row] -= factor * b[column]
        }
    }
    var x = [Double](repeating: 0, count: size)
    for row in stride(from: size - 1, through: 0, by: -1) {
        var sum = b[row]
        for k in (row + 1)..<size { sum -= a[row][k] * x[k] }
        x[row] = sum / a[row][row]
    }
    return x.allSatisfy(\.isFinite) ? x : nil
}
