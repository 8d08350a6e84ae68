/// Namespace for the Guard module's shared constants.
public enum GuardModule {
    public static let name = "Guard"
}
