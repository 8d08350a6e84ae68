/// The forecast peak against a capacity: enough, or short by how much and what to add.
public struct Headroom: Sendable, Equatable, Codable {
    public var peak: Double
    public var plusMinus: Double
    public var capacity: Double
    public var instances: Int
    /// Instances to add so the interval's upper end fits (0 when it already fits).
    public var instancesToAdd: Int
    /// The limiting resource from a previous ramp, when known ("PostgreSQL CPU: …").
    public var limitingResource: String?
    /// True when the limit is the shared database, which more store instances do not relieve.
    public var databaseBound: Bool

    public init(peak: Double, plusMinus: Double, capacity: Double, instances: Int = 1, limitingResource: String? = nil) {
        self.peak = peak
        self.plusMinus = plusMinus
        self.capacity = capacity
        self.instances = max(1, instances)
        self.limitingResource = limitingResource
        databaseBound = limitingResource?.hasPrefix("PostgreSQL") ?? false || limitingResource?.contains("pool") ?? false
            || limitingResource?.contains("lock") ?? false
        let perInstance = capacity / Double(self.instances)
        let needed = perInstance > 0 ? Int(((peak + plusMinus) / perInstance).rounded(.up)) : self.instances
        instancesToAdd = max(0, needed - self.instances)
    }

    public var upper: Double { peak + plusMinus }
    public var shortBy: Double { max(0, peak - capacity) }

    /// "3,900 req/s ± 400, capacity 2,600: short by 1,300 req/s (add 1 instance or cache listings)".
    public var summary: String {
        var line = "\(Format.number(peak)) req/s ± \(Format.number(plusMinus)), capacity \(Format.number(capacity)): "
        if upper <= capacity {
            line += "fits, \(Format.percent(1 - upper / capacity)) headroom at the interval's upper end"
        } else if databaseBound {
            line += peak > capacity ? "short by \(Format.number(shortBy)) req/s" : "fits the forecast but not its upper end (\(Format.number(upper)))"
            line += " (the database limits: more store instances will not help; cache listings or give PostgreSQL more cores)"
        } else {
            line += peak > capacity ? "short by \(Format.number(shortBy)) req/s" : "fits the forecast but not its upper end (\(Format.number(upper)))"
            line += " (add \(instancesToAdd) instance\(instancesToAdd == 1 ? "" : "s") or cache listings)"
        }
        return line
    }
}
