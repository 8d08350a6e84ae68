import Telemetry
import Testing

@Test func telemetryModuleLinks() {
    #expect(TelemetryModule.name == "Telemetry")
}
