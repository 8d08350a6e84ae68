/// Namespace for the Storefront module's shared constants.
public enum StorefrontModule {
    public static let name = "Storefront"
}
