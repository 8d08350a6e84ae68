/// The store's schema seeded with synthetic rows, and the store's standard query mix as SQL
/// (mirrors what Storefront runs: listings with keyset pagination, product detail, search,
/// cart lines, the holds sweeper, the stock ledger). `-- calls:` weights follow a browsing mix.
enum StoreWorkloadFixture {
    static let seed = [
        "INSERT INTO categories (id, parent_id, slug, name, depth) SELECT g, NULL, 'c' || g, 'Category ' || g, 0 FROM generate_series(1, 200) g",
        "INSERT INTO brands (id, name) SELECT g, 'Brand ' || g FROM generate_series(1, 100) g",
        """
        INSERT INTO products (id, category_id, brand_id, title, description, price_minor, currency, popularity, created_at)
        SELECT g, 1 + g % 200, 1 + g % 100,
               (ARRAY['blue', 'red', 'green', 'black', 'white'])[1 + g % 5] || ' ' || (ARRAY['shirt', 'shoe', 'lamp', 'mug', 'desk', 'chair'])[1 + g % 6] || ' ' || g,
               'A fine product number ' || g, (g::bigint * 7919) % 100000, 'EUR', (g::bigint * 104729) % 50000,
               now() - (g % 1000) * interval '1 hour'
        FROM generate_series(1, 50000) g
        """,
        """
        INSERT INTO variants (id, product_id, sku, price_minor, currency)
        SELECT g, 1 + (g - 1) / 2, 'SKU-' || g, (g::bigint * 7919) % 100000, 'EUR' FROM generate_series(1, 100000) g
        """,
        "INSERT INTO stock (variant_id, on_hand, reserved) SELECT g, 100, 0 FROM generate_series(1, 100000) g",
        """
        INSERT INTO stock_movements (variant_id, on_hand_delta, reserved_delta, reason)
        SELECT 1 + g % 100000, 1, 0, 'seed' FROM generate_series(1, 100000) g
        """,
        """
        INSERT INTO carts (id, token, currency, status)
        SELECT md5('cart' || g)::uuid, 't' || g, 'EUR', 'open' FROM generate_series(1, 20000) g
        """,
        """
        INSERT INTO cart_lines (cart_id, variant_id, quantity)
        SELECT md5('cart' || (1 + g % 20000))::uuid, 1 + g * 3, 1 FROM generate_series(1, 30000) g
        """,
        """
        INSERT INTO holds (id, cart_id, status, expires_at)
        SELECT md5('hold' || g)::uuid, md5('cart' || (1 + g % 20000))::uuid,
               CASE WHEN g % 50 = 0 THEN 'active' WHEN g % 3 = 0 THEN 'released' ELSE 'converted' END,
               now() + (g % 100 - 50) * interval '1 minute'
        FROM generate_series(1, 40000) g
        """,
        "ANALYZE",
    ]

    static let workload = """
        -- calls: 300
        -- ProductQueries.list: a category sorted by price, next page (keyset on (price_minor, id)).
        SELECT id, title, price_minor, currency, popularity FROM products
        WHERE category_id = 17 AND (price_minor, id) > (41000, 3000) ORDER BY price_minor, id LIMIT 24;
        -- calls: 300
        -- The first page of the same.
        SELECT id, title, price_minor, currency, popularity FROM products WHERE category_id = 17 ORDER BY price_minor, id LIMIT 24;
        -- calls: 400
        -- Default category page: by popularity.
        SELECT id, title, price_minor, currency, popularity FROM products WHERE category_id = 42 ORDER BY popularity DESC, id DESC LIMIT 24;
        -- calls: 150
        -- Whole catalog by popularity.
        SELECT id, title, price_minor, currency, popularity FROM products ORDER BY popularity DESC, id DESC LIMIT 24;
        -- calls: 100
        -- Newest (keyset on (created_at, id)).
        SELECT id, title, price_minor, currency, popularity FROM products WHERE (created_at, id) < (now() - interval '2 days', 4000) ORDER BY created_at DESC, id DESC LIMIT 24;
        -- calls: 80
        -- Whole catalog by price.
        SELECT id, title, price_minor, currency, popularity FROM products ORDER BY price_minor, id LIMIT 24;
        -- calls: 500
        -- ProductQueries.detail.
        SELECT id, category_id, brand_id, title, description, price_minor, currency, popularity FROM products WHERE id = 12345;
        -- calls: 500
        -- ProductQueries.detail: variants with availability.
        SELECT v.id, v.sku, v.options, v.price_minor, s.on_hand - s.reserved AS available
        FROM variants v JOIN stock s ON s.variant_id = v.id WHERE v.product_id = 12345 ORDER BY v.id;
        -- calls: 100
        -- ProductQueries.search: full text.
        SELECT id, title, price_minor FROM products WHERE search @@ websearch_to_tsquery('english', 'blue lamp')
        ORDER BY ts_rank(search, websearch_to_tsquery('english', 'blue lamp')) DESC LIMIT 24;
        -- calls: 300
        -- CartQueries.lines.
        SELECT cl.variant_id, cl.quantity, v.sku, v.price_minor FROM cart_lines cl JOIN variants v ON v.id = cl.variant_id
        WHERE cl.cart_id = 'b6d767d2-f8b1-4b6b-a1a5-9b5d7b1c0a11' ORDER BY cl.id;
        -- calls: 60
        -- HoldQueries.expire: the sweeper.
        SELECT id, cart_id FROM holds WHERE status = 'active' AND expires_at < now() ORDER BY expires_at LIMIT 100;
        -- calls: 20
        -- InventoryQueries.ledger.
        SELECT on_hand_delta, reserved_delta, reason, created_at FROM stock_movements WHERE variant_id = 777 ORDER BY id;
        -- calls: 50
        -- CartQueries.addItem.
        INSERT INTO cart_lines (cart_id, variant_id, quantity) VALUES ('b6d767d2-f8b1-4b6b-a1a5-9b5d7b1c0a11', 5, 1)
        ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = cart_lines.quantity + EXCLUDED.quantity;
        """
}
