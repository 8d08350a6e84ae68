/// Namespace for the LoadTest module's shared constants.
public enum LoadTestModule {
    public static let name = "LoadTest"
}
