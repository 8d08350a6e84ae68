/// Namespace for the Advisor module's shared constants.
public enum AdvisorModule {
    public static let name = "Advisor"
}
