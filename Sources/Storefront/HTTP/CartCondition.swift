import Foundation

/// What a cart change's `If-Match` header asks for (RFC 9110 §13.1.1), the cart's version being its
/// entity tag: `"3"` (or the bare `3` clients sent before) is version 3, `*` is any current cart.
///
/// `If-Match` uses the strong comparison, so a weak tag (`W/"3"`) never matches, whatever the cart's
/// version; nor does a strong tag that is not a version. The document's pattern for the header
/// admits one tag; anything else is refused before this reads it.
enum CartCondition: Equatable {
    case any
    case version(Int)
    case never

    init(_ raw: String) {
        let value = raw.trimmingCharacters(in: .whitespaces)
        if value == "*" {
            self = .any
        } else if value.hasPrefix("W/") {
            self = .never
        } else if value.count >= 2, value.first == "\"", value.last == "\"" {
            self = Int(value.dropFirst().dropLast()).map { .version($0) } ?? .never
        } else {
            self = Int(value).map { .version($0) } ?? .never
        }
    }
}
