-- Catalog, inventory, carts, checkout holds, orders and idempotency keys.
-- Every secondary index names the query that needs it (see Storefront/*/…Queries.swift).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id        integer PRIMARY KEY,
    parent_id integer REFERENCES categories (id),
    slug      text NOT NULL UNIQUE,
    name      text NOT NULL,
    depth     smallint NOT NULL
);
-- CategoryQueries.subtree (recursive descent from a category to its leaves).
CREATE INDEX categories_parent_idx ON categories (parent_id);

CREATE TABLE brands (
    id   integer PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE products (
    id          bigint PRIMARY KEY,
    category_id integer NOT NULL REFERENCES categories (id),
    brand_id    integer NOT NULL REFERENCES brands (id),
    title       text NOT NULL,
    description text NOT NULL,
    price_minor bigint NOT NULL CHECK (price_minor >= 0), -- lowest variant price, for sorting and filters
    currency    char(3) NOT NULL,
    popularity  integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    search      tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'C')
    ) STORED
);
-- ProductQueries.list sort=price / -price within a category (keyset on (price_minor, id)).
CREATE INDEX products_category_price_idx ON products (category_id, price_minor, id);
-- ProductQueries.list sort=price / -price over the whole catalog.
CREATE INDEX products_price_idx ON products (price_minor, id);
-- ProductQueries.list sort=newest (keyset on (created_at, id)).
CREATE INDEX products_created_idx ON products (created_at, id);
-- ProductQueries.list sort=popular (keyset on (popularity, id)); also the default listing order.
CREATE INDEX products_popularity_idx ON products (popularity, id);
-- ProductQueries.list sort=popular within a category (the default category page).
CREATE INDEX products_category_popularity_idx ON products (category_id, popularity, id);
-- ProductQueries.search: full-text match on q.
CREATE INDEX products_search_idx ON products USING gin (search);
-- ProductQueries.search fallback: trigram similarity for typos and prefixes.
CREATE INDEX products_title_trgm_idx ON products USING gin (title gin_trgm_ops);
-- Facets by brand within a filtered listing.
CREATE INDEX products_brand_idx ON products (brand_id);

CREATE TABLE variants (
    id          bigint PRIMARY KEY,
    product_id  bigint NOT NULL REFERENCES products (id),
    sku         text NOT NULL UNIQUE,
    options     jsonb NOT NULL DEFAULT '{}',
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    currency    char(3) NOT NULL
);
-- ProductQueries.detail (variants of one product) and the in_stock filter.
CREATE INDEX variants_product_idx ON variants (product_id);

-- Stock per variant: available = on_hand - reserved. Checkout changes it only through one
-- conditional UPDATE per SKU, so the CHECKs are a second line of defence, never the first.
CREATE TABLE stock (
    variant_id bigint PRIMARY KEY REFERENCES variants (id),
    on_hand    integer NOT NULL CHECK (on_hand >= 0),
    reserved   integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    CHECK (reserved <= on_hand)
);

-- Append-only: every change of on_hand or reserved, with why.
CREATE TABLE stock_movements (
    id             bigserial PRIMARY KEY,
    variant_id     bigint NOT NULL REFERENCES variants (id),
    on_hand_delta  integer NOT NULL,
    reserved_delta integer NOT NULL,
    reason         text NOT NULL CHECK (reason IN ('seed', 'restock', 'hold', 'release', 'expire', 'sale')),
    reference      uuid,
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- InventoryQueries.ledger (the movements of one variant, for audits and the balance check).
CREATE INDEX stock_movements_variant_idx ON stock_movements (variant_id);

CREATE RULE stock_movements_no_update AS ON UPDATE TO stock_movements DO INSTEAD NOTHING;
CREATE RULE stock_movements_no_delete AS ON DELETE TO stock_movements DO INSTEAD NOTHING;

CREATE TABLE carts (
    id         uuid PRIMARY KEY,
    token      text NOT NULL,
    currency   char(3) NOT NULL,
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'checked_out')),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cart_lines (
    id         bigserial PRIMARY KEY,
    cart_id    uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id bigint NOT NULL REFERENCES variants (id),
    quantity   integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    UNIQUE (cart_id, variant_id) -- CartQueries.addItem (upsert) and CartQueries.lines
);

CREATE TABLE holds (
    id         uuid PRIMARY KEY,
    cart_id    uuid NOT NULL REFERENCES carts (id),
    status     text NOT NULL CHECK (status IN ('active', 'converted', 'released', 'expired')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- HoldQueries.expire: the sweeper finds active holds past their TTL.
CREATE INDEX holds_active_expiry_idx ON holds (expires_at) WHERE status = 'active';

CREATE TABLE hold_lines (
    hold_id    uuid NOT NULL REFERENCES holds (id),
    variant_id bigint NOT NULL REFERENCES variants (id),
    quantity   integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (hold_id, variant_id)
);

CREATE TABLE orders (
    id           uuid PRIMARY KEY,
    cart_id      uuid NOT NULL UNIQUE REFERENCES carts (id), -- one order per cart, whatever happens
    token        text NOT NULL,
    email        text NOT NULL,
    shipping     jsonb NOT NULL,
    total_minor  bigint NOT NULL,
    currency     char(3) NOT NULL,
    status       text NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    payment_ref  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_lines (
    order_id         uuid NOT NULL REFERENCES orders (id),
    variant_id       bigint NOT NULL REFERENCES variants (id),
    sku              text NOT NULL,
    title            text NOT NULL,
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_minor bigint NOT NULL,
    PRIMARY KEY (order_id, variant_id)
);

CREATE TABLE idempotency_keys (
    key             text PRIMARY KEY,
    request_hash    text NOT NULL,
    status          text NOT NULL CHECK (status IN ('in_progress', 'done')),
    response_status integer,
    response_body   text,
    locked_at       timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now()
);
