import Foundation
import HTTPTypes
import Hummingbird
import Storefront
import Testing

@Suite struct CartTests {
    @Test func concurrentAddsLoseNoUpdate() async throws {
        // The invariant under test is "no lost update", not the deadline: give the cart class room on a
        // machine whose two cores the whole suite shares.
        var configuration = StoreConfiguration()
        configuration.deadlines[.cart] = .seconds(30)
        try await StoreHarness.run(configuration: configuration) { store in
            let variant = try await store.product(id: 10, variants: [(price: 500, onHand: 1000)])[0]
            let cart = try await store.createCart()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 { group.addTask { try await store.add(cart: cart, variant: variant).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            let applied = statuses.filter { $0 == .ok }.count
            // Not applied: 409 (lost the race for the cart's lock) or 503 (deadline passed waiting for a connection).
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .conflict || $0 == .serviceUnavailable }, "\(statuses.map(\.code))")
            let reply = try await store.send(.get, "/v1/carts/\(cart.0)", headers: [StoreHarness.cartToken: cart.1])
            let lines = try reply.json()["lines"] as? [[String: Any]] ?? []
            // Every 200 was applied exactly once; every other answer is a 409 and changed nothing.
            #expect(applied >= 1, "\(statuses.map(\.code))")
            #expect(lines.first?["quantity"] as? Int == applied)
            #expect(try reply.json()["version"] as? Int == 1 + applied)
        }
    }

    @Test func staleVersionIsACartConflict() async throws {
        try await StoreHarness.run { store in
            let variant = try await store.product(id: 11, variants: [(price: 500, onHand: 10)])[0]
            let cart = try await store.createCart()
            let first = try await store.send(.post, "/v1/carts/\(cart.0)/items",
                                             headers: [StoreHarness.cartToken: cart.1, .ifMatch: "1"],
                                             body: #"{"variant_id": \#(variant), "quantity": 1}"#)
            #expect(first.status == .ok)
            let stale = try await store.send(.post, "/v1/carts/\(cart.0)/items",
                                             headers: [StoreHarness.cartToken: cart.1, .ifMatch: "1"],
                                             body: #"{"variant_id": \#(variant), "quantity": 1}"#)
            #expect(stale.status == .conflict)
            #expect(stale.code == "cart_conflict")
        }
    }

    @Test func linesCanBeChangedAndRemoved() async throws {
        try await StoreHarness.run { store in
            let variant = try await store.product(id: 12, variants: [(price: 700, onHand: 10)])[0]
            let cart = try await store.createCart()
            let added = try await store.add(cart: cart, variant: variant, quantity: 2)
            let line = (try added.json()["lines"] as? [[String: Any]])?.first?["id"] as? Int ?? 0
            let patched = try await store.send(.patch, "/v1/carts/\(cart.0)/items/\(line)",
                                               headers: [StoreHarness.cartToken: cart.1], body: #"{"quantity": 5}"#)
            #expect(((try patched.json()["subtotal"] as? [String: Any])?["amount_minor"] as? Int) == 3500)
            let removed = try await store.send(.delete, "/v1/carts/\(cart.0)/items/\(line)", headers: [StoreHarness.cartToken: cart.1])
            #expect((try removed.json()["lines"] as? [Any])?.isEmpty == true)
            let wrongToken = try await store.send(.get, "/v1/carts/\(cart.0)", headers: [StoreHarness.cartToken: "nope"])
            #expect(wrongToken.status == .notFound)
        }
    }
    /// Add-to-cart is one statement: a refused add must change nothing, the cart's version included
    /// (a line past the maximum fails a CHECK after the version bump, which rolls back with it).
    @Test func refusedAddsChangeNothing() async throws {
        try await StoreHarness.run { store in
            let variants = try await store.product(id: 13, variants: [(price: 500, onHand: 5000), (price: 500, onHand: 0)])
            let cart = try await store.createCart()
            #expect(try await store.add(cart: cart, variant: variants[0], quantity: 600).status == .ok)

            let tooMany = try await store.add(cart: cart, variant: variants[0], quantity: 600)
            // A valid request (quantity 1...999) the line cannot take: a conflict with the cart, not a 400.
            #expect(tooMany.status == .conflict)
            #expect(tooMany.code == "cart_conflict")
            let soldOut = try await store.add(cart: cart, variant: variants[1])
            #expect(soldOut.code == "sold_out")
            let unknown = try await store.add(cart: cart, variant: 987_654_321)
            #expect(unknown.status == .notFound)
            let wrongToken = try await store.add(cart: (cart.0, "not-the-token"), variant: variants[0])
            #expect(wrongToken.status == .notFound)

            let reply = try await store.send(.get, "/v1/carts/\(cart.0)", headers: [StoreHarness.cartToken: cart.1])
            #expect(try reply.json()["version"] as? Int == 2)
            #expect((try reply.json()["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 600)

            // A checked-out cart takes no more items.
            #expect(try await store.checkout(cart: cart, key: UUID().uuidString).status == .created)
            let late = try await store.add(cart: cart, variant: variants[0])
            #expect(late.status == .conflict)
            #expect(late.code == "cart_conflict")
        }
    }
}
