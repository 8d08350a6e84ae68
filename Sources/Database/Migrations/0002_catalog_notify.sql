-- Catalog change notifications, so every store instance drops its cached pages of a changed product
-- (CatalogInvalidationListener LISTENs on surge_catalog; the payload is the product id).
-- NOTIFY serialises committing transactions on a global lock, so stock changes notify only when a
-- variant's availability crosses zero (in stock <-> sold out), never on every checkout.

CREATE FUNCTION surge_notify_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'products' THEN
        PERFORM pg_notify('surge_catalog', COALESCE(NEW.id, OLD.id)::text);
    ELSE
        PERFORM pg_notify('surge_catalog', COALESCE(NEW.product_id, OLD.product_id)::text);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION surge_notify_stock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('surge_catalog', (SELECT product_id FROM variants WHERE id = NEW.variant_id)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER products_notify AFTER UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION surge_notify_product();
CREATE TRIGGER variants_notify AFTER INSERT OR UPDATE OR DELETE ON variants
    FOR EACH ROW EXECUTE FUNCTION surge_notify_product();
CREATE TRIGGER stock_notify_availability AFTER UPDATE ON stock
    FOR EACH ROW WHEN ((OLD.on_hand - OLD.reserved > 0) IS DISTINCT FROM (NEW.on_hand - NEW.reserved > 0))
    EXECUTE FUNCTION surge_notify_stock();
