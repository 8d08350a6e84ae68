/// Why points cannot be fitted; each message is one line that says what to measure instead.
public enum FitError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooFewPoints(count: Int)
    case tooFewDistinctLoads(count: Int)
    case nonPositive(load: Double)
    case noContentionSignal(highestLoad: Double, efficiency: Double)

    public var description: String {
        switch self {
        case .tooFewPoints(let count):
            "\(count) point(s): the USL fit needs at least 4 measured load levels"
        case .tooFewDistinctLoads(let count):
            "only \(count) distinct load level(s): the USL fit needs at least 3 different loads"
        case .nonPositive(let load):
            "a point at load \(Format.number(load)) has no positive concurrency and throughput"
        case .noContentionSignal(let highestLoad, let efficiency):
            "no contention signal: throughput still grows linearly at the highest load (\(Format.number(highestLoad)) "
                + "in flight, \(Format.percent(efficiency)) of linear), so no peak can be predicted; measure at higher load"
        }
    }
}
