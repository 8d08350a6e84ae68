/// The postmortem's fault: the index behind the product page's variants lookup is gone (a migration
/// that dropped it, a restore without it), so every product page scans `variants`.
struct MissingIndexFault: Fault {
    /// The product page's statement reads `variants WHERE product_id = $1` (ProductDetailStatement).
    static let index = "variants_product_idx"
    static let drop = "DROP INDEX IF EXISTS variants_product_idx"
    static let restore = "CREATE INDEX CONCURRENTLY IF NOT EXISTS variants_product_idx ON variants (product_id)"

    func inject(_ context: FaultContext) async throws -> String {
        try await context.admin.query("DROP INDEX IF EXISTS variants_product_idx")
        try await context.admin.query("ANALYZE variants")
        return Self.drop + "  -- the product page's variants lookup (WHERE product_id = $1) now scans the table"
    }

    func remove(_ context: FaultContext) async throws -> String {
        // Nothing to do when the fix (the advisor's migration) already indexed variants (product_id).
        guard try await !IndexFix.variantsIndexed(context.admin) else { return "variants (product_id) is indexed" }
        try await context.admin.query("CREATE INDEX CONCURRENTLY IF NOT EXISTS variants_product_idx ON variants (product_id)")
        return Self.restore
    }
}
