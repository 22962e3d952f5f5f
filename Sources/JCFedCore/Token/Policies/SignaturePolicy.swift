/// The signature over `header.payload` must verify with the selected key. Runs before any
/// claim is read; the arithmetic is the verifier's (OpenSSL in the module).
public enum SignaturePolicy {
    public static func check(_ jws: CompactJWS, algorithm: JWSAlgorithm, key: JWK,
                             verifier: SignatureVerifier) -> TokenRejection? {
        guard jws.verify(with: verifier, algorithm: algorithm, key: key) else {
            return TokenRejection(.badSignature, "signature does not verify")
        }
        return nil
    }
}
