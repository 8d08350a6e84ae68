import LoadTest
import Testing

@Test func loadTestModuleLinks() {
    #expect(LoadTestModule.name == "LoadTest")
}
