import COpenSSL
import JCFedCore

/// JWS signature verification over OpenSSL 3 EVP.
/// STUB: completed by the token-validation work.
public final class OpenSSLVerifier: SignatureVerifier {
    public init() {}

    public func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool {
        false
    }
}
