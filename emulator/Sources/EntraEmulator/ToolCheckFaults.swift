// What the `weak_keys` fault and the request log's `client_auth` need: kept apart from the login faults
// so each stays small.
import Foundation

extension EmulatorResponder {
    /// One RSA key of 1024 bits (a random odd modulus with its top bit set), kid "k1", no x5c: a JWKS
    /// an admin's check must refuse as "none usable".
    static func weakKeys() -> JSON {
        var modulus = Encoding.randomBytes(128)
        modulus[0] |= 0x80
        modulus[127] |= 0x01
        return ["keys": [["kty": "RSA", "use": "sig", "kid": "k1", "n": .string(Encoding.base64url(modulus)), "e": "AQAB"]]]
    }

    /// How the request authenticated the client, for the request log: never the secret itself.
    static func clientAuth(form: [String: String], basic: BasicCredentials?) -> String? {
        if form["client_secret"] != nil { return "client_secret_post" }
        if basic != nil { return "client_secret_basic" }
        return nil
    }
}
