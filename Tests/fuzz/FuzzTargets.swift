#if canImport(Glibc)
import Glibc
#endif

/// The parsers the module runs on bytes it does not control, one libFuzzer target each.
/// `run.sh` lists the targets from the `case "name":` lines below.
enum FuzzTargets {
    static let selected: String = {
        guard let raw = getenv("JCFED_FUZZ_TARGET") else { return "json" }
        return String(cString: raw)
    }()

    static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "json":
            _ = JSONParser.parse(bytes)
        case "config":
            _ = ConfigParser.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz.conf")
        case "jws":
            if case .success(let jws) = CompactJWS.parse(String(decoding: bytes, as: UTF8.self), maxBytes: 16 * 1024) {
                _ = (jws.header[.alg], jws.payload[.sub])
            }
        case "jwt":
            validateToken(String(decoding: bytes, as: UTF8.self))
        case "claims":
            validateToken(structuredToken(bytes))
        case "jwks":
            if case .success(let set) = JWKSet.parse(bytes) {
                for key in set.keys { _ = (key.bits, key.problem) }
                for skipped in set.skipped { _ = skipped.description }
            }
        case "discovery":
            if case .success(let m) = Discovery.validate(bytes, settings: FuzzFixtures.settings) {
                _ = Discovery.allowedAlgorithms(m, settings: FuzzFixtures.settings)
            }
        case "devicecode":
            deviceCodeReply(bytes)
        case "token":
            tokenReply(bytes)
        case "cache":
            _ = MetadataCache.decode(bytes)
        case "directory":
            directoryRoundTrip(bytes)
        case "header":
            headerLine(bytes)
        default:
            break
        }
    }

    /// A response header line (libcurl's header callback hands the module what the server sent):
    /// a field's name has no upper-case ASCII letter, its value no blank at either end.
    static func headerLine(_ bytes: [UInt8]) {
        guard case .field(let name, let value) = HTTPHeaderLine.parse(bytes) else { return }
        guard !name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else {
            fatalError("header: a field name keeps an upper-case letter")
        }
        if let first = value.utf8.first, let last = value.utf8.last, Trim.isSpace(first) || Trim.isSpace(last) {
            fatalError("header: a field value keeps a blank at an end")
        }
    }

    /// The whole validator with a verifier that accepts any non-empty signature whose first
    /// byte is not 0, so the claim policies run on fuzzed claims (the cryptography has its own
    /// vectors: Wycheproof).
    static func validateToken(_ token: String) {
        let result = TokenValidator.validate(token, context: FuzzFixtures.context(), verifier: FuzzFixtures.verifier)
        switch result {
        case .success(let identity):
            _ = identity.claim("upn")
            // VerifiedIdentity reads its claims only now (IdentityPolicy checked each one): the
            // required ones read non-empty, and every field reads as it does once made values.
            guard !identity.sub.isEmpty, !identity.oid.isEmpty, !identity.issuer.isEmpty else {
                fatalError("jwt: a validated identity reads an empty sub, oid or iss")
            }
            var values = identity
            values.expiresAt = identity.expiresAt
            guard values == identity, values.groups == identity.groups, values.tid == identity.tid,
                  values.name == identity.name, values.idp == identity.idp, values.email == identity.email else {
                fatalError("jwt: a validated identity reads differently once made values")
            }
        case .failure(let rejection): _ = Outcome.tokenRejected(rejection).adminDetail
        }
        if FuzzFixtures.explain { print("jwt: \(result)") }
    }

    /// The directory file (mapping.directory): parsed strictly; whatever parses must come back
    /// the same after the normalized write the sync does (`serialize`), or the tool could write
    /// a file the module then reads differently.
    static func directoryRoundTrip(_ bytes: [UInt8]) {
        guard case .success(let d) = DirectoryFile.parse(bytes) else { return }
        guard case .success(let again) = DirectoryFile.parse(DirectoryFile.serialize(d)) else {
            fatalError("directory: a parsed file does not parse after serialize")
        }
        guard again.users == d.users, again.boundUserIDs == d.boundUserIDs, again.metadata == d.metadata else {
            fatalError("directory: serialize changed the directory")
        }
    }

    /// Input: header JSON, a 0 byte, payload JSON, a 0 byte, signature bytes; encoded here as a
    /// compact JWS. Mutations then change the JSON itself (claims, types, duplicates) rather than
    /// base64 text, so the claim policies are explored far more than through "jwt".
    static func structuredToken(_ bytes: [UInt8]) -> String {
        let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        return parts.map { Base64.urlEncode(Array($0)) }.joined(separator: ".")
    }

    /// Input: byte 0 picks the HTTP status, byte 1 the length of a Retry-After value that follows,
    /// the rest is the body.
    static func response(_ bytes: [UInt8]) -> HTTPResponse {
        let statuses = [200, 400, 401, 429, 500, 503, 302, 404]
        let status = statuses[Int(bytes.first ?? 0) % statuses.count]
        let retryLength = Int(bytes.dropFirst().first ?? 0) % 16
        let rest = bytes.dropFirst(2)
        var headers: [String: String] = [:]
        if retryLength > 0 { headers["retry-after"] = String(decoding: rest.prefix(retryLength), as: UTF8.self) }
        return HTTPResponse(status: status, headers: headers, body: Array(rest.dropFirst(retryLength)))
    }

    static func deviceCodeReply(_ bytes: [UInt8]) {
        var machine = DeviceFlowMachine(loginDeadline: 110_000)
        _ = machine.handle(.start, now: 0)
        let reply = IdPAnswer<DeviceAuthorization>(response(bytes), receivedAt: 1_700_000_000)
        switch reply {
        case .success(let a):
            // What the person would see: the IdP's message, cleaned for a terminal.
            _ = DevicePresentation.message(a, qr: nil)
            _ = a.description
        case .error(let e):
            _ = Outcome.flow(FlowFailure.from(e), loginTimeout: 110).adminDetail
        default:
            break
        }
        _ = machine.handle(.codeReply(reply), now: 100)
    }

    static func tokenReply(_ bytes: [UInt8]) {
        let reply = IdPAnswer<IDToken>(response(bytes), receivedAt: 1_700_000_000)
        if case .error(let e) = reply {
            _ = Outcome.flow(FlowFailure.from(e), loginTimeout: 110).adminDetail
        }
        // Through the machine, as a poll's answer.
        var machine = DeviceFlowMachine(loginDeadline: 110_000)
        _ = machine.handle(.start, now: 0)
        let code = DeviceAuthorization(userCode: "ABCDEFGHJ", deviceCode: "D", verificationURI: "https://x.test/d",
                                       expiresIn: 900, interval: 5)
        _ = machine.handle(.codeReply(.success(code)), now: 100)
        _ = machine.handle(.answered, now: 200)
        if case .fail(let f) = machine.handle(.tokenReply(reply), now: 300) { _ = f.description }
    }
}

/// A verifier that does no arithmetic (see validateToken).
final class FuzzVerifier: SignatureVerifier {
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool {
        signature.first.map { $0 != 0 } ?? false
    }
}

/// A fixed Entra world: tenant, app, one RS256 key (the emulator's, public), a fixed clock. The
/// seeds in corpus/jwt are tokens for exactly this context, so every policy is reached.
enum FuzzFixtures {
    static let tenant = "11111111-2222-3333-4444-555555555555"
    static let clientID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    static let now: Int64 = 1_795_932_800

    static let settings: IdPSettings = {
        var s = IdPSettings()
        s.type = .azure
        s.url = "https://login.microsoftonline.com/" + tenant
        s.clientID = clientID
        return s
    }()

    static let jwks = #"{"keys":[{"kty":"RSA","use":"sig","kid":"GQvSfN4txkfWt7Ze57T5AiZU4jU","n":"tY6n6KK76a6eY_vOq54BRWcUxETdL9GMqFVtSD9aGMP7UQU914bdGsxG7znnAc7YN3wCQOr8eLutPx01jHugSdJUwEg36XTQ_eI_2T0vSpYceowli-uC0z8qNXbxV2-u6URKnqw0QnE6kal7tm5Nw4IjheIqXIShFnMlKytnvX_KWrZGGEMfYCOFr84IXyEahBDjCzCmh_PVdxWILda8cPBGAc5C2m0DLuxQBThVt0UMi2IWBNaJy4pgN4YC07XuaMYmIZpgvv2_-XR-B_ZBarLP4DxHZFl8FWfwqXp1PRZ02vCj8ZSW-vRQYPwymsZcMdt49ZRG20pfOZr-aV_FLw","e":"AQAB"},{"kty":"EC","use":"sig","kid":"ec-key-1","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#

    /// Parsed for every input, not kept in a static: a JWK.Material in a global keeps its enum
    /// case in the spare bits of the EC coordinates' pointer, which LeakSanitizer then cannot
    /// see, and reports the key as leaked at exit (a false positive).
    static func keys() -> [JWK] {
        guard case .success(let set) = JWKSet.parse(Array(jwks.utf8)) else { return [] }
        return set.keys
    }

    static func context() -> ValidationContext {
        ValidationContext(issuer: "https://login.microsoftonline.com/\(tenant)/v2.0", tenantID: tenant,
                          clientID: clientID, allowedAlgorithms: [.rs256, .es256], keys: keys(), now: now,
                          clockSkew: 60)
    }

    static let verifier = FuzzVerifier()

    /// JCFED_FUZZ_EXPLAIN=1: print what a target made of each input (to check that the seeds
    /// reach the deep code, e.g. a jwt seed is accepted).
    static let explain = getenv("JCFED_FUZZ_EXPLAIN") != nil

    static func warmUp() {
        let count = keys().count
        if count != 2 { print("fuzz: the fixed JWK Set lost a key (\(count) of 2)") }
        _ = (settings.url, verifier, explain, FuzzTargets.selected)
    }
}
