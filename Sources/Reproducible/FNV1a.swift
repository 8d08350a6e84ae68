/// FNV-1a (64 bit): a hash that is the same in every process and release of Swift (unlike `Hasher`),
/// for ids that outlive a process: query fingerprints, entity tags, idempotency request hashes.
public enum FNV1a {
    /// The hash of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// A 64-bit value as 16 lowercase hex digits (the form of fingerprints, entity tags and request ids).
    public static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
