/// A public key from a JWK Set (RFC 7517), already decoded and checked for shape.
/// Keys that are not for signatures, too short, or of an unknown type never come out of
/// `JWKSet.parse`; `problem` repeats those checks so a key built any other way is held to the
/// same rules when a token selects it.
public struct JWK: Sendable, Equatable {
    public enum Material: Sendable, Equatable {
        /// Big-endian modulus (leading zeros stripped) and exponent.
        case rsa(n: [UInt8], e: [UInt8])
        /// P-256 affine coordinates, 32 bytes each.
        case ecP256(x: [UInt8], y: [UInt8])
    }

    /// Below this an RSA key is refused (NIST SP 800-131A; Entra uses 2048).
    public static let minRSABits = 2048
    /// Above this an RSA key is refused: nobody publishes one, and it bounds the work a key can cost.
    public static let maxRSABits = 16384
    /// A public exponent longer than 64 bits is refused (OpenSSL's own limit for large moduli).
    public static let maxExponentBytes = 8

    public var kid: String? {
        get { storage.members.kid }
        set { writable().members.kid = newValue }
    }
    public var use: String? {
        get { storage.members.use }
        set { writable().members.use = newValue }
    }
    public var alg: String? {
        get { storage.members.alg }
        set { writable().members.alg = newValue }
    }
    /// Entra's per-key issuer (may contain `{tenantid}`).
    public var issuer: String? {
        get { storage.members.issuer }
        set { writable().members.issuer = newValue }
    }
    public var material: Material {
        get { storage.members.material }
        set { writable().members.material = newValue }
    }

    /// The members, in one shared box: a validation copies the selected key several times
    /// (selection, signature, claim policies), and a copy of the box is one reference count,
    /// where a copy of the members was six (four strings, two arrays). Copy on write keeps the
    /// value semantics of the public members.
    private var storage: Storage

    private struct Members: Equatable {
        var kid: String?
        var use: String?
        var alg: String?
        var issuer: String?
        var material: Material
    }

    private final class Storage: @unchecked Sendable {
        // Mutated only through `writable()`, on a box no other JWK holds.
        var members: Members

        init(_ members: Members) {
            self.members = members
        }
    }

    /// The box, made this value's own first if another value shares it.
    private mutating func writable() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.members) }
        return storage
    }

    public init(kid: String?, use: String? = "sig", alg: String? = nil, issuer: String? = nil, material: Material) {
        storage = Storage(Members(kid: kid, use: use, alg: alg, issuer: issuer, material: material))
    }

    public static func == (a: JWK, b: JWK) -> Bool {
        a.storage === b.storage || a.storage.members == b.storage.members
    }

    /// Modulus length in bits for RSA keys, 256 for P-256.
    public var bits: Int {
        switch material {
        case .rsa(let n, _):
            let digits = n.drop(while: { $0 == 0 })
            guard let first = digits.first else { return 0 }
            return (digits.count - 1) * 8 + (8 - first.leadingZeroBitCount)
        case .ecP256: return 256
        }
    }

    /// Why this key must not check signatures, or nil when it may.
    public var problem: JWKProblem? {
        if let use = use, use != "sig" { return .notForSignatures }
        switch material {
        case .rsa(_, let e):
            let bits = self.bits
            if bits < JWK.minRSABits { return .rsaKeyTooShort(bits: bits) }
            if bits > JWK.maxRSABits { return .rsaKeyTooLong(bits: bits) }
            let exponent = e.drop(while: { $0 == 0 })
            guard let last = exponent.last, exponent.count <= JWK.maxExponentBytes,
                  last & 1 == 1, !(exponent.count == 1 && last == 1) else { return .badExponent }
            return nil
        case .ecP256(let x, let y):
            return x.count == 32 && y.count == 32 ? nil : .badCoordinateLength
        }
    }

    /// True when this key may check a signature made with `algorithm`.
    public func fits(_ algorithm: JWSAlgorithm) -> Bool {
        if let alg = alg, alg != algorithm.rawValue { return false }
        switch (material, algorithm) {
        case (.rsa, .rs256), (.rsa, .rs384), (.rsa, .rs512), (.rsa, .ps256): return true
        case (.ecP256, .es256): return true
        default: return false
        }
    }
}
