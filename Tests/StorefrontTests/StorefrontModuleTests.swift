import Storefront
import Testing

@Test func storefrontModuleLinks() {
    #expect(StorefrontModule.name == "Storefront")
}
