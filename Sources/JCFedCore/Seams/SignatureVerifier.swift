/// Verifies a JWS signature with a public key from a JWK. Implemented over OpenSSL EVP in
/// JCFedCrypto; the core decides *which* key and algorithm are acceptable, the verifier only
/// does the arithmetic.
public protocol SignatureVerifier: AnyObject {
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool
    /// False when the library that does the arithmetic cannot be loaded: a login must then stop
    /// before the person signs in, not refuse their token afterwards.
    var isUsable: Bool { get }
}

extension SignatureVerifier {
    public var isUsable: Bool { true }
}
