/// How an identity claim (`alice@contoso.com`) and a JumpCloud email are compared.
///
/// - Case-insensitive, after Unicode canonical equivalence (NFC): Swift's `String` equality and
///   hashing already treat canonically equivalent strings as equal, so `é` and `e\u{301}` match.
/// - The domain must be ASCII (IDNs in their `xn--` form): a domain with any non-ASCII character
///   never matches, so `contоso.com` with a Cyrillic `о` cannot pass for `contoso.com`.
/// - Case folding never turns a non-ASCII character into an ASCII one: the Kelvin sign `K`
///   (U+212A) lower-cases to ASCII `k`, and is kept as it is so it cannot stand in for `k`.
///   Look-alikes from other scripts (Cyrillic `а` U+0430 for `a`) are different characters and
///   never match.
/// - Control characters, spaces and more or fewer than one `@` make a value that never matches.
public enum IdentifierKey {
    /// The comparison key of an email-like identifier, or nil when it can never match anything.
    public static func address(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 320 else { return nil }
        guard !value.unicodeScalars.contains(where: isForbidden) else { return nil }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              !local.isEmpty, !domain.isEmpty else { return nil }
        guard let d = asciiDomain(domain) else { return nil }
        return foldLocalPart(local) + "@" + d
    }

    /// Whether a JumpCloud email has the comparison key `key` (a result of `address`). The
    /// common case, both ASCII, is a byte comparison without allocation (a login scans every
    /// user); anything else goes through `address` and canonical-equivalence equality.
    public static func email(_ email: String, matchesKey key: String) -> Bool {
        func slow() -> Bool {
            guard let other = address(email) else { return false }
            return other == key
        }
        var keyBytes = key.utf8.makeIterator()
        for b in email.utf8 {
            guard b < 0x80 else { return slow() }
            guard let k = keyBytes.next() else { return false }
            guard k < 0x80 else { return slow() }
            // Two different ASCII starters at the same place: whatever follows, the characters
            // differ under canonical equivalence too.
            if asciiLower(Unicode.Scalar(b)).value != UInt32(k) { return false }
        }
        return keyBytes.next() == nil
    }

    /// The domain of an address key (after `address`), lower-case ASCII.
    public static func domain(ofKey key: String) -> String? {
        guard let at = key.lastIndex(of: "@") else { return nil }
        return String(key[key.index(after: at)...])
    }

    /// The local part of an address key.
    public static func localPart(ofKey key: String) -> String? {
        guard let at = key.lastIndex(of: "@") else { return nil }
        return String(key[..<at])
    }

    /// A lower-case ASCII DNS name, or nil when the domain has a non-ASCII character or is not
    /// a host name.
    /// On bytes, as every login maps its identity through here: a generic map over scalars runs
    /// the standard library's unspecialized code, on pages of its own (bench, round 9).
    public static func asciiDomain<S: StringProtocol>(_ s: S) -> String? {
        guard let lower = asciiLowered(s.utf8) else { return nil }
        return DomainName.isValidASCII(lower) ? lower : nil
    }

    static func foldLocalPart<S: StringProtocol>(_ s: S) -> String {
        // Nearly every local part is ASCII: lower-cased on bytes, the same answer as below.
        if let lower = asciiLowered(s.utf8) { return lower }
        var out = ""
        for c in s {
            if c.isASCII {
                for u in c.unicodeScalars { out.unicodeScalars.append(asciiLower(u)) }
                continue
            }
            let lower = String(c).lowercased()
            // Folding must not turn a non-ASCII character into an ASCII one (Kelvin sign -> k).
            if lower.unicodeScalars.allSatisfy({ $0.isASCII }) {
                out.append(c)
            } else {
                out += lower
            }
        }
        return out
    }

    /// `bytes` with A-Z lower-cased, or nil when one of them is not ASCII.
    static func asciiLowered<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            guard b < 0x80 else { return nil }
            out.append(b >= 0x41 && b <= 0x5a ? b + 0x20 : b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func asciiLower(_ u: Unicode.Scalar) -> Unicode.Scalar {
        guard u.value >= 0x41 && u.value <= 0x5a, let l = Unicode.Scalar(u.value + 0x20) else { return u }
        return l
    }

    /// Characters no identifier of ours may contain: C0/C1 controls, spaces, and invisible
    /// formatting characters (zero-width and bidi controls) that make two values look alike.
    static func isForbidden(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v <= 0x20 || v == 0x7f || (v >= 0x80 && v <= 0xa0) { return true }
        if v == 0xad || v == 0x180e || (v >= 0x200b && v <= 0x200f) || (v >= 0x2028 && v <= 0x202f)
            || (v >= 0x2060 && v <= 0x206f) || v == 0xfeff { return true }
        // The ASCII whitespace (HT to CR, space) was refused above; the property lookup is a
        // search in the standard library's Unicode tables, pages every login would map.
        if v < 0x80 { return false }
        return u.properties.isWhitespace
    }

    /// A name usable as a local account name: portable POSIX characters, lower-case, not starting
    /// with a dash or dot (`full` mode also allows `@` for accounts named after an address).
    public static func isAccountName(_ s: String, allowAt: Bool = false) -> Bool {
        guard let first = s.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "."),
              s.utf8.count <= 256 else { return false }
        return s.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d
                || (allowAt && $0 == 0x40)
        }
    }
}
