/// A public key from a JWK Set (RFC 7517), already decoded and checked for shape.
/// Keys that are not for signatures, too short, or of an unknown type never become a JWK.
public struct JWK: Sendable, Equatable {
    public enum Material: Sendable, Equatable {
        /// Big-endian modulus (leading zeros stripped) and exponent.
        case rsa(n: [UInt8], e: [UInt8])
        /// P-256 affine coordinates, 32 bytes each.
        case ecP256(x: [UInt8], y: [UInt8])
    }

    public var kid: String?
    public var use: String?
    public var alg: String?
    /// Entra's per-key issuer (may contain `{tenantid}`).
    public var issuer: String?
    public var material: Material

    public init(kid: String?, use: String? = "sig", alg: String? = nil, issuer: String? = nil, material: Material) {
        self.kid = kid
        self.use = use
        self.alg = alg
        self.issuer = issuer
        self.material = material
    }

    /// Modulus length in bits for RSA keys, 256 for P-256.
    public var bits: Int {
        switch material {
        case .rsa(let n, _):
            guard let first = n.first else { return 0 }
            return (n.count - 1) * 8 + (8 - first.leadingZeroBitCount)
        case .ecP256: return 256
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
