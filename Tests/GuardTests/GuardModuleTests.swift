import Guard
import Testing

@Test func guardModuleLinks() {
    #expect(GuardModule.name == "Guard")
}
