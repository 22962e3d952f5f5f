/// Why one key of a JWK Set cannot be used. The description names our own member names and
/// sizes only, never a value from the document.
public enum JWKProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case notAnObject
    case missingMember(String)
    /// Wrong JSON type, or not strict base64url.
    case badMember(String)
    case unknownKeyType
    case unsupportedCurve
    /// `use` is not `sig`, or `key_ops` does not allow `verify`.
    case notForSignatures
    /// The published key contains private parts (`d`, `p`, ...): it authenticates nothing.
    case privateKeyMaterial
    case rsaKeyTooShort(bits: Int)
    case rsaKeyTooLong(bits: Int)
    /// Public exponent empty, even, 1, or longer than 64 bits.
    case badExponent
    /// EC coordinate not exactly 32 bytes.
    case badCoordinateLength

    public var description: String {
        switch self {
        case .notAnObject: return "key is not a JSON object"
        case .missingMember(let m): return "member \(m) is missing"
        case .badMember(let m): return "member \(m) has the wrong type or encoding"
        case .unknownKeyType: return "key type is not RSA or EC"
        case .unsupportedCurve: return "curve is not P-256"
        case .notForSignatures: return "key is not for signatures"
        case .privateKeyMaterial: return "key contains private key material"
        case .rsaKeyTooShort(let bits): return "RSA key of \(bits) bits is shorter than \(JWK.minRSABits)"
        case .rsaKeyTooLong(let bits): return "RSA key of \(bits) bits is longer than \(JWK.maxRSABits)"
        case .badExponent: return "RSA exponent is not an odd number above 1 of at most 64 bits"
        case .badCoordinateLength: return "EC coordinate is not 32 bytes"
        }
    }
}
