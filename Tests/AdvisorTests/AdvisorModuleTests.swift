import Advisor
import Testing

@Test func advisorModuleLinks() {
    #expect(AdvisorModule.name == "Advisor")
}
