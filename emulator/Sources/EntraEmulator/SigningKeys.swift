// The token signing keys: RSA 2048 like Entra's, each published in the JWKS with a self-signed x5c
// certificate, kid = x5t = base64url(SHA-1(certificate DER)), and the `{tenantid}` issuer template.
// A "rogue" key is never published: it signs the `unknown_kid` fault.
import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

struct SigningKey: @unchecked Sendable {
    let privateKey: _RSA.Signing.PrivateKey
    let kid: String
    let modulus: String   // base64url n
    let exponent: String  // base64url e
    let certificateDER: [UInt8]
    /// The public key as PEM text: what a confused verifier would use as an HMAC secret (hs256 fault).
    let publicKeyPEM: String

    static func generate(now: Date = Date()) throws -> SigningKey {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("accounts.accesscontrol.windows.net") }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now - 86400,
            notValidAfter: now + 365 * 86400,
            issuer: name,
            subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: Certificate.Extensions(),
            issuerPrivateKey: Certificate.PrivateKey(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        let thumbprint = Encoding.base64url(Insecure.SHA1.hash(data: der))
        let primitives = try key.publicKey.getKeyPrimitives()
        return SigningKey(
            privateKey: key,
            kid: thumbprint,
            modulus: Encoding.base64url(primitives.modulus),
            exponent: Encoding.base64url(primitives.publicExponent),
            certificateDER: der,
            publicKeyPEM: key.publicKey.pemRepresentation)
    }

    func sign(_ signingInput: String) throws -> [UInt8] {
        let signature = try privateKey.signature(for: Array(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return Array(signature.rawRepresentation)
    }

    func jwk(baseURL: String) -> JSON {
        [
            "kty": "RSA",
            "use": "sig",
            "kid": .string(kid),
            "x5t": .string(kid),
            "n": .string(modulus),
            "e": .string(exponent),
            "x5c": [.string(Encoding.base64(certificateDER))],
            "issuer": .string(baseURL + "/{tenantid}/v2.0"),
        ]
    }
}

/// The published keys (the first one signs) and the rogue key.
struct KeyRing: @unchecked Sendable {
    var published: [SigningKey]
    let rogue: SigningKey

    static func generate() throws -> KeyRing {
        KeyRing(published: [try SigningKey.generate(), try SigningKey.generate()], rogue: try SigningKey.generate())
    }

    var signing: SigningKey { published[0] }

    /// Emergency roll (default): both published keys replaced at once. With keepPrevious the new key signs
    /// and the previous signing key stays published second (a planned rollover).
    mutating func rotate(keepPrevious: Bool) throws {
        let fresh = try SigningKey.generate()
        if keepPrevious {
            published = [fresh, published[0]]
        } else {
            published = [fresh, try SigningKey.generate()]
        }
    }

    func jwks(baseURL: String) -> JSON {
        ["keys": .array(published.map { $0.jwk(baseURL: baseURL) })]
    }
}
