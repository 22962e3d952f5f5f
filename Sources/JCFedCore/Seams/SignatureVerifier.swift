/// Verifies a JWS signature with a public key from a JWK. Implemented over OpenSSL EVP in
/// JCFedCrypto; the core decides *which* key and algorithm are acceptable, the verifier only
/// does the arithmetic.
public protocol SignatureVerifier: AnyObject {
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool
    /// The same check on bytes that stay where they are (a token's signing input is its own
    /// bytes): SignaturePolicy uses this, so a validation copies neither. By default the bytes
    /// are copied into arrays for the method above; OpenSSLVerifier reads them in place.
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: UnsafeBufferPointer<UInt8>,
                signature: UnsafeBufferPointer<UInt8>) -> Bool
    /// False when the library that does the arithmetic cannot be loaded: a login must then stop
    /// before the person signs in, not refuse their token afterwards.
    var isUsable: Bool { get }
}

extension SignatureVerifier {
    public var isUsable: Bool { true }

    public func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: UnsafeBufferPointer<UInt8>,
                       signature: UnsafeBufferPointer<UInt8>) -> Bool {
        verify(algorithm: algorithm, key: key, signingInput: Array(signingInput), signature: Array(signature))
    }
}
