/// Namespace for the Telemetry module's shared constants.
public enum TelemetryModule {
    public static let name = "Telemetry"
}
