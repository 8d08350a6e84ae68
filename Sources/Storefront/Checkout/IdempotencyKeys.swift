import Database
import Foundation
import PostgresNIO

/// The idempotency protocol of `Idempotency-Key`, on the `idempotency_keys` table:
/// - **claim**: insert the key as in progress with this request's owner id, or wait for the owner
///   and **replay** its stored response; a key in progress past `takeoverAfter` belongs to a request
///   that died mid-way and is taken over;
/// - **fence**: every write that finishes the key names its owner, so a request whose key was taken
///   over cannot finish it (the order's own finish is fenced the same way, inside its transaction:
///   `CheckoutService.perform`);
/// - **record** a final answer, so a retry gets the same one; **forget** an unknown outcome, so a
///   retry runs again.
struct IdempotencyKeys: Sendable {
    let database: Database
    /// Keep it above the checkout deadline, so a live request is not taken over; fencing makes a
    /// takeover safe either way.
    let takeoverAfter: Duration

    enum Claim: Equatable {
        /// The key already has a final answer.
        case replay(StoredResponse)
        /// This request owns the key now; `tookOver` if a dead owner had it before.
        case owned(tookOver: Bool)
    }

    /// Inserts the key as in progress (`owner` owns it), or waits for its owner and returns the stored response.
    func claim(key: String, hash: String, owner: UUID) async throws -> Claim {
        let takeoverSeconds = Double(takeoverAfter.milliseconds) / 1000
        while true {
            let inserted = try await database.query("""
                INSERT INTO idempotency_keys (key, request_hash, status, owner) VALUES (\(key), \(hash), 'in_progress', \(owner))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """)
            if !inserted.isEmpty { return .owned(tookOver: false) }
            let rows = try await database.query("""
                SELECT request_hash, status, response_status, response_body, locked_at < now() - make_interval(secs => \(takeoverSeconds))
                FROM idempotency_keys WHERE key = \(key)
                """)
            guard let row = rows.first else { continue } // deleted meanwhile by a failed owner: claim again
            let (storedHash, status, responseStatus, responseBody, stale) = try row.decode((String, String, Int?, String?, Bool).self)
            guard storedHash == hash else {
                throw StoreError.idempotencyMismatch("Idempotency-Key '\(key)' was used with a different request body: use a new key")
            }
            if status == "done", let responseStatus, let responseBody {
                return .replay(StoredResponse(status: responseStatus, body: responseBody))
            }
            if stale {
                // The owner died mid-way: take the key over.
                let taken = try await database.query("""
                    UPDATE idempotency_keys SET locked_at = now(), owner = \(owner)
                    WHERE key = \(key) AND status = 'in_progress' AND locked_at < now() - make_interval(secs => \(takeoverSeconds))
                    RETURNING key
                    """)
                if !taken.isEmpty { return .owned(tookOver: true) }
            }
            if let remaining = QueryContext.current?.remaining, remaining < .milliseconds(50) {
                throw StoreError.idempotencyInProgress("a request with this Idempotency-Key is still being processed: retry shortly")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Records `response` as the key's final answer, if `owner` still owns it.
    func record(key: String, owner: UUID, _ response: StoredResponse) async throws {
        try await database.query("""
            UPDATE idempotency_keys SET status = 'done', response_status = \(response.status), response_body = \(response.body)
            WHERE key = \(key) AND status = 'in_progress' AND owner = \(owner)
            """)
    }

    /// Forgets the key, if `owner` still owns it and it is unfinished: a retry runs again.
    func forget(key: String, owner: UUID) async {
        _ = try? await database.query("DELETE FROM idempotency_keys WHERE key = \(key) AND status = 'in_progress' AND owner = \(owner)")
    }
}
