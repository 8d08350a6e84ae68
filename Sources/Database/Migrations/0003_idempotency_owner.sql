-- Fencing for idempotency keys: the request that owns a key (claimed it, or took it over from an
-- owner that went silent) is named by `owner`, and every write that finishes the key, the order's
-- own transaction included, checks it. A request that lost its key to a takeover can then never
-- commit a second order for the same key: its transaction rolls back instead.
ALTER TABLE idempotency_keys ADD COLUMN owner uuid;

-- The key whose checkout placed a hold: a retry that takes a key over first releases the holds its
-- dead predecessor left on the cart (CheckoutService.releaseAbandonedHolds), instead of finding the
-- cart "already in checkout" until the hold expires.
ALTER TABLE holds ADD COLUMN idempotency_key text;

-- CheckoutService.hold ("is a checkout of this cart already in progress?") and
-- CheckoutService.releaseAbandonedHolds look up a cart's active holds; without this index both
-- scanned every hold ever made, once per checkout.
CREATE INDEX holds_cart_active_idx ON holds (cart_id) WHERE status = 'active';
