/// Verifies a JWS signature with a public key from a JWK. Implemented over OpenSSL EVP in
/// JCFedCrypto; the core decides *which* key and algorithm are acceptable, the verifier only
/// does the arithmetic.
public protocol SignatureVerifier: AnyObject {
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool
}
