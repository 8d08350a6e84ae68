import Database
import PostgresNIO
import Testing

@Suite struct PoolSizingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var cores, maxConnections, reserved, instances, dedicated, expected: Int

        init(cores: Int, maxConnections: Int, reserved: Int, instances: Int, dedicated: Int = 0, expected: Int) {
            (self.cores, self.maxConnections, self.reserved, self.instances, self.dedicated, self.expected) =
                (cores, maxConnections, reserved, instances, dedicated, expected)
        }
        var testDescription: String { "\(cores) cores, max_connections \(maxConnections), \(instances) instances → \(expected)" }
    }

    @Test(arguments: [
        Case(cores: 2, maxConnections: 100, reserved: 3, instances: 1, expected: 5),   // (2 × 2) + 1
        Case(cores: 16, maxConnections: 100, reserved: 3, instances: 1, expected: 33),
        Case(cores: 16, maxConnections: 100, reserved: 3, instances: 4, expected: 23), // (100 − 3 − 5) / 4
        Case(cores: 8, maxConnections: 20, reserved: 3, instances: 10, expected: 2),   // never below 2
        // Each instance also opens 2 (cancel, LISTEN) + 4 (pipelined reads, one per event loop): 23 − 6.
        Case(cores: 16, maxConnections: 100, reserved: 3, instances: 4, dedicated: 6, expected: 17),
        Case(cores: 2, maxConnections: 100, reserved: 3, instances: 1, dedicated: 4, expected: 5), // cores decide
    ])
    func defaultPoolSizeFollowsCoresAndTheServersShare(_ c: Case) {
        #expect(PoolSizing.size(cores: c.cores, maxConnections: c.maxConnections, reserved: c.reserved, instances: c.instances,
                                dedicated: c.dedicated) == c.expected)
    }
}

@Suite struct FixedPoolTests {
    @Test func aFixedPoolArmsNoIdleOrKeepAliveTimers() throws {
        var configuration = try DatabaseURL("postgres://surge@127.0.0.1:5432/surge").clientConfiguration()
        #expect(configuration.options.keepAliveBehavior != nil)   // PostgresNIO's default, which this turns off
        PoolSizing.fixed(&configuration, connections: 7)
        #expect(configuration.options.maximumConnections == 7)
        #expect(configuration.options.minimumConnections == 7)
        #expect(configuration.options.keepAliveBehavior == nil)
    }
}
