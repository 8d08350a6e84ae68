import Database
import Foundation
import LoadTest

/// Where a drill runs.
public enum DrillEnvironment: Sendable {
    /// A private PostgreSQL in a temporary directory and the drill's own store: everything is started,
    /// broken, fixed and removed again by the drill.
    case privateServer(osUser: String)
    /// The drill's own store on a database the caller made for it (the test suite's server): the drill
    /// may break and fix it, and restores what it broke.
    case database(DatabaseURL)
    /// A deployment the user owns: traffic and diagnosis only; a fault only with `inject`, never a fix.
    case target(store: URL, database: DatabaseURL, inject: Bool)
}

/// What a drill does and how hard.
public struct DrillOptions: Sendable {
    public var drill: DrillName
    public var environment: DrillEnvironment
    /// Products the private store seeds (variants ~2.5 per product).
    public var products = 20_000
    /// The normal mix's arrival rate (journeys per second); the surge multiplies it.
    public var ratePerSecond = 20.0
    /// The surge: a flash sale at 5x the normal mix with three bursts of buyers.
    public var surge: FlashSaleShape = DrillOptions.defaultSurge
    /// Each doctor window.
    public var doctorWindow: Duration = .seconds(3)
    /// The service levels the store must hold after the fix (and is held to before, for the comparison).
    public var objectives = ServiceObjectives()
    /// Connections the load generator keeps per host.
    public var connections = 64
    /// The `surge` executable a cluster drill's instances run (`surge serve`); by default the one this
    /// process runs from.
    public var surgeExecutable: String?

    public init(drill: DrillName, environment: DrillEnvironment) {
        self.drill = drill
        self.environment = environment
    }

    /// 45 s: 8 s of the normal mix, 5 s ramp, 25 s at 5x with three bursts of ten seconds' buyers, 7 s after.
    public static let defaultSurge: FlashSaleShape = {
        var shape = FlashSaleShape()
        shape.multiplier = 5
        shape.beforeSeconds = 8
        shape.rampSeconds = 5
        shape.holdSeconds = 25
        shape.afterSeconds = 7
        shape.bursts = 3
        shape.burstEverySeconds = 8
        shape.firstBurstSeconds = 14
        return shape
    }()

    /// Seconds from the surge's start to its hold (where faults that strike mid-sale strike).
    var holdStartSeconds: Int { surge.beforeSeconds + surge.rampSeconds }
}

/// What users must get, checked on the surge after the fix.
public struct ServiceObjectives: Sendable, Codable, Equatable {
    /// Buy journeys (product, cart, add-to-cart, checkout) that complete, percent.
    public var checkoutCompletionPercent = 99.0
    /// Buy journeys whose add-to-cart succeeded, percent.
    public var addToCartCompletionPercent = 99.0
    /// Checkout request p99, from its intended start, milliseconds.
    public var checkoutP99Milliseconds = 1000.0

    public init() {}
}
