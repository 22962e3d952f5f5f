// Fault switches set by `POST /_control/faults` (the body replaces the whole set; `{}` clears it).
//
// Transport faults (delay_ms, status, drop_connection, hang, redirect_to, malformed_json,
// truncated_json, slow_bytes, huge_body_mb) hit requests to the endpoints in `paths` (default: all four)
// and each hit uses up one of `times` (default: unlimited). Content faults use up `times` only where
// they take effect: token_fault on a successful token answer, issuer_mismatch on discovery,
// keys_garbage and weak_keys on the keys, http200_errors on an Entra error, user_throttled on a token request
// (answered with Entra's user-facing throttle, invalid_grant AADSTS50196). slow_down, interval and expires_in have
// their own meaning (see below) and ignore paths/times.
import Foundation

enum Endpoint: String, CaseIterable {
    case discovery, devicecode, token, keys
}

struct FaultSet {
    var delayMs: Int?
    var paths: Set<Endpoint>?
    var status: Int?
    var retryAfter: Int?
    var times: Int?
    var malformedJSON = false
    var truncatedJSON = false
    var dropConnection = false
    var hang = false
    var slowBytes = false
    var hugeBodyMB: Int?
    var redirectTo: String?
    /// The next N device-code polls answer slow_down (whatever the code's state).
    var slowDown: Int?
    var http200Errors = false
    var tokenFault: TokenFault?
    var issuerMismatch = false
    var keysGarbage = false
    /// Token requests answer `invalid_grant` + AADSTS50196, as Entra throttles one user's sign-ins.
    var userThrottled = false
    /// The keys endpoint publishes one 1024-bit RSA key (kid "k1"), for `jcfed idp test`'s key check.
    var weakKeys = false
    /// Override the devicecode answer's `interval` / the code lifetime `expires_in` (seconds).
    var interval: Int?
    var expiresIn: Int?

    static let knownKeys: Set<String> = [
        "delay_ms", "paths", "status", "retry_after", "times", "malformed_json", "truncated_json",
        "drop_connection", "hang", "slow_bytes", "huge_body_mb", "redirect_to", "slow_down", "http200_errors",
        "token_fault", "issuer_mismatch", "keys_garbage", "interval", "expires_in",
        "user_throttled",
        "token_fault", "issuer_mismatch", "keys_garbage", "interval", "expires_in", "weak_keys",
    ]

    var hasTransportFault: Bool {
        delayMs != nil || status != nil || malformedJSON || truncatedJSON || dropConnection || hang || slowBytes
            || hugeBodyMB != nil || redirectTo != nil
    }

    func applies(to endpoint: Endpoint) -> Bool {
        paths.map { $0.contains(endpoint) } ?? true
    }

    static func parse(_ object: [String: Any]) throws -> FaultSet {
        for key in object.keys where !knownKeys.contains(key) {
            throw EmulatorError("unknown fault switch '\(key)'; known: \(knownKeys.sorted().joined(separator: ", "))")
        }
        var f = FaultSet()
        f.delayMs = try int(object, "delay_ms", min: 0)
        if let raw = object["paths"] {
            guard let list = raw as? [String] else { throw EmulatorError("paths must be a list of names") }
            f.paths = Set(try list.map { name in
                guard let e = Endpoint(rawValue: name) else {
                    throw EmulatorError("unknown path '\(name)'; known: discovery, devicecode, token, keys")
                }
                return e
            })
        }
        f.status = try int(object, "status", min: 100)
        if let s = f.status, !(100...599).contains(s) { throw EmulatorError("status must be an HTTP status") }
        f.retryAfter = try int(object, "retry_after", min: 0)
        f.times = try int(object, "times", min: 0)
        f.malformedJSON = try bool(object, "malformed_json")
        f.truncatedJSON = try bool(object, "truncated_json")
        f.dropConnection = try bool(object, "drop_connection")
        f.hang = try bool(object, "hang")
        f.slowBytes = try bool(object, "slow_bytes")
        f.hugeBodyMB = try int(object, "huge_body_mb", min: 1)
        if let raw = object["redirect_to"] {
            guard let s = raw as? String, !s.isEmpty else { throw EmulatorError("redirect_to must be a URL") }
            f.redirectTo = s
        }
        f.slowDown = try int(object, "slow_down", min: 0)
        f.http200Errors = try bool(object, "http200_errors")
        if let raw = object["token_fault"] {
            guard let s = raw as? String, let fault = TokenFault(rawValue: s) else {
                throw EmulatorError(
                    "unknown token_fault; known: \(TokenFault.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            f.tokenFault = fault
        }
        f.issuerMismatch = try bool(object, "issuer_mismatch")
        f.keysGarbage = try bool(object, "keys_garbage")
        f.userThrottled = try bool(object, "user_throttled")
        f.weakKeys = try bool(object, "weak_keys")
        f.interval = try int(object, "interval", min: 0)
        f.expiresIn = try int(object, "expires_in", min: 1)
        return f
    }

    /// The set as JSON (what `GET /_control/faults` shows), with the remaining `times`.
    func json(remaining: Int?, slowDownRemaining: Int) -> JSON {
        var pairs: [(String, JSON)] = []
        if let v = delayMs { pairs.append(("delay_ms", .int(v))) }
        if let p = paths { pairs.append(("paths", .strings(p.map(\.rawValue).sorted()))) }
        if let v = status { pairs.append(("status", .int(v))) }
        if let v = retryAfter { pairs.append(("retry_after", .int(v))) }
        if times != nil { pairs.append(("times", remaining.map { .int($0) } ?? .null)) }
        if malformedJSON { pairs.append(("malformed_json", true)) }
        if truncatedJSON { pairs.append(("truncated_json", true)) }
        if dropConnection { pairs.append(("drop_connection", true)) }
        if hang { pairs.append(("hang", true)) }
        if slowBytes { pairs.append(("slow_bytes", true)) }
        if let v = hugeBodyMB { pairs.append(("huge_body_mb", .int(v))) }
        if let v = redirectTo { pairs.append(("redirect_to", .string(v))) }
        if slowDown != nil { pairs.append(("slow_down", .int(slowDownRemaining))) }
        if http200Errors { pairs.append(("http200_errors", true)) }
        if let v = tokenFault { pairs.append(("token_fault", .string(v.rawValue))) }
        if issuerMismatch { pairs.append(("issuer_mismatch", true)) }
        if keysGarbage { pairs.append(("keys_garbage", true)) }
        if userThrottled { pairs.append(("user_throttled", true)) }
        if weakKeys { pairs.append(("weak_keys", true)) }
        if let v = interval { pairs.append(("interval", .int(v))) }
        if let v = expiresIn { pairs.append(("expires_in", .int(v))) }
        return .object(pairs)
    }

    private static func int(_ o: [String: Any], _ key: String, min: Int) throws -> Int? {
        guard let raw = o[key] else { return nil }
        if raw is NSNull { return nil }
        let value: Int?
        if let i = raw as? Int {
            value = i
        } else if let d = raw as? Double {
            value = Int(exactly: d)
        } else {
            value = nil
        }
        guard let i = value, i >= min else { throw EmulatorError("\(key) must be an integer >= \(min)") }
        return i
    }

    private static func bool(_ o: [String: Any], _ key: String) throws -> Bool {
        guard let raw = o[key] else { return false }
        guard let b = raw as? Bool else { throw EmulatorError("\(key) must be true or false") }
        return b
    }
}
