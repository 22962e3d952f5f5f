/// The keys of jcfed.conf, by full name (`section.key`): what the parser accepts and
/// `ConfigKeys.apply` validates. jcfed.conf(5) documents the same list.
public enum ConfigKey: String, CaseIterable, Sendable {
    case idpType = "idp.type"
    case idpName = "idp.name"
    case idpURL = "idp.url"
    case idpClientID = "idp.client_id"
    case idpClientSecretFile = "idp.client_secret_file"
    case idpClientSecret = "idp.client_secret"
    case idpScopes = "idp.scopes"
    case idpCAFile = "idp.ca_file"
    case idpProxy = "idp.proxy"
    case idpHTTPTimeout = "idp.http_timeout"
    case idpLoginTimeout = "idp.login_timeout"
    case idpClockSkew = "idp.clock_skew"
    case idpCacheDir = "idp.cache_dir"
    case idpCacheMaxStale = "idp.cache_max_stale"
    case idpQR = "idp.qr"
    case mappingClaims = "mapping.claims"
    case mappingDirectory = "mapping.directory"
    case mappingFallback = "mapping.fallback"
    case mappingAllowedDomains = "mapping.allowed_domains"
    case mappingMinUID = "mapping.min_uid"
    case mappingStateDir = "mapping.state_dir"
    case mappingPinIdentity = "mapping.pin_identity"
    case mappingAllowGuests = "mapping.allow_guests"
    case mappingTrustPreferredUsername = "mapping.trust_preferred_username"
    case mappingDirectoryMaxAge = "mapping.directory_max_age"
    case mappingStaleDirectory = "mapping.stale_directory"
    case routingGroups = "routing.groups"
    case jumpcloudAPIURL = "jumpcloud.api_url"
    case jumpcloudAPIKeyFile = "jumpcloud.api_key_file"
    case jumpcloudOrgID = "jumpcloud.org_id"
    case jumpcloudAgentDir = "jumpcloud.agent_dir"
    case pamOffline = "pam.offline"
    case pamServices = "pam.services"

    /// The key named `fullKey`, found by comparing names. Not `init(rawValue:)`: for an enum of
    /// this size it builds a hash table of every name on first use, which a fresh process (every
    /// login, every sudo) pays before its first key.
    static func named(_ fullKey: String) -> ConfigKey? {
        allCases.first { $0.rawValue == fullKey }
    }
}

/// The key catalogue of jcfed.conf: one case per key, each validating its value and returning
/// a one-line problem or nil. jcfed.conf(5) documents the same table.
public enum ConfigKeys {
    /// Validates `v` for `key` and stores it in `c`: nil, or a one-line problem (then `c` is
    /// unchanged). A switch, not a table of closures: this runs on every login, also for users
    /// who are not federated, and a dictionary of closures costs a fresh process its hashing
    /// and generic metadata before the first key is read.
    static func apply(_ key: ConfigKey, _ v: String, to c: inout JCFedConfig) -> String? {
        switch key {
        case .idpType:
            guard let t = IdPType(rawValue: v.lowercased()) else { return "must be azure or oidc, not '\(v)'" }
            c.idp.type = t; return nil
        case .idpName:
            guard !v.isEmpty, v.count <= 128 else { return "must be 1 to 128 characters" }
            c.idp.name = v; return nil
        case .idpURL:
            guard let problem = httpsURLProblem(v) else { c.idp.url = v; return nil }
            return problem
        case .idpClientID:
            guard !v.isEmpty, v.count <= 256, v.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
            else { return "must be a non-empty printable ASCII identifier" }
            c.idp.clientID = v; return nil
        case .idpClientSecretFile: return optionalPath(v, into: &c.idp.clientSecretFile)
        case .idpClientSecret:
            c.idp.clientSecret = v.isEmpty ? nil : v; return nil
        case .idpScopes:
            let scopes = words(v)
            guard scopes.contains("openid") else { return "must include openid (the ID token is what is validated)" }
            guard scopes.allSatisfy({ $0.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "\\" } })
            else { return "contains a character that is not allowed in a scope" }
            c.idp.scopes = scopes; return nil
        case .idpCAFile: return optionalPath(v, into: &c.idp.caFile)
        case .idpProxy:
            if v.isEmpty { c.idp.proxy = nil; return nil }
            guard let scheme = ["http://", "https://", "socks5h://", "socks5://"].first(where: { v.startsWithASCII($0) })
            else { return "must be a URL starting with http://, https:// or socks5h://" }
            guard let host = v.dropFirst(scheme.count).split(separator: "/", omittingEmptySubsequences: false).first,
              !host.isEmpty else { return "has no host" }
            guard !v.contains(" ") else { return "must not contain spaces" }
            c.idp.proxy = v; return nil
        case .idpHTTPTimeout: return int(v, 1...120, into: &c.idp.httpTimeout)
        case .idpLoginTimeout: return int(v, 10...3600, into: &c.idp.loginTimeout)
        case .idpClockSkew: return int(v, 0...600, into: &c.idp.clockSkew)
        case .idpCacheDir: return path(v, into: &c.idp.cacheDir)
        case .idpCacheMaxStale: return int(v, 0...2_592_000, into: &c.idp.cacheMaxStale)
        case .idpQR:
            guard let q = QRMode(rawValue: v.lowercased()) else { return "must be auto, on or off" }
            c.idp.qr = q; return nil

        case .mappingClaims:
            let claims = words(v)
            // Exactly the claims VerifiedIdentity.claim(_:) knows.
            let known: Set<String> = ["upn", "preferred_username", "email"]
            guard !claims.isEmpty else { return "must name at least one claim" }
            if let bad = claims.first(where: { !known.contains($0) }) {
            return "unknown claim '\(bad)' (use upn, preferred_username, email)"
            }
            c.mapping.claims = claims; return nil
        case .mappingDirectory: return path(v, into: &c.mapping.directory)
        case .mappingFallback:
            guard let f = MappingFallback(rawValue: v.lowercased()) else { return "must be none, localpart or full" }
            c.mapping.fallback = f; return nil
        case .mappingAllowedDomains:
            let domains = list(v).map { $0.lowercased() }
            if let bad = domains.first(where: { !DomainName.isValidASCII($0) }) {
            return "'\(bad)' is not a domain name (use ASCII or the xn-- form)"
            }
            c.mapping.allowedDomains = domains; return nil
        case .mappingMinUID:
            var n = 0
            if let p = int(v, 1...Int(Int32.max), into: &n) { return p + " (root is never federated)" }
            c.mapping.minUID = UInt32(n); return nil
        case .mappingStateDir: return path(v, into: &c.mapping.stateDir)
        case .mappingPinIdentity: return bool(v, into: &c.mapping.pinIdentity)
        case .mappingAllowGuests: return bool(v, into: &c.mapping.allowGuests)
        case .mappingTrustPreferredUsername: return bool(v, into: &c.mapping.trustPreferredUsername)
        case .mappingDirectoryMaxAge: return int(v, 0...(10 * 365 * 86400), into: &c.mapping.directoryMaxAge)
        case .mappingStaleDirectory:
            guard let p = StaleDirectoryPolicy(rawValue: v.lowercased()) else { return "must be warn or deny" }
            c.mapping.staleDirectory = p; return nil

        case .routingGroups:
            switch GroupList.parse(v) {
            case .success(let groups): c.routing.groups = groups; return nil
            case .failure(let problem): return problem.text
            }

        case .jumpcloudAPIURL:
            guard let problem = httpsURLProblem(v) else { c.jumpcloud.apiURL = v; return nil }
            return problem
        case .jumpcloudAPIKeyFile: return path(v, into: &c.jumpcloud.apiKeyFile)
        case .jumpcloudOrgID:
            c.jumpcloud.orgID = v.isEmpty ? nil : v; return nil
        case .jumpcloudAgentDir: return path(v, into: &c.jumpcloud.agentDir)

        case .pamOffline:
            guard let p = OfflinePolicy(rawValue: v.lowercased()) else { return "must be local-password or deny" }
            c.pam.offline = p; return nil
        case .pamServices:
            let services = list(v)
            // Names of files in /etc/pam.d: the tool writes there, so no paths.
            if let bad = services.first(where: { !isServiceName($0) }) { return "'\(bad)' is not a PAM service name" }
            c.pam.services = services; return nil
        }
    }

    /// Every key's full name.
    static var names: [String] { ConfigKey.allCases.map(\.rawValue) }

    /// Rules that involve more than one key, checked after the whole file is read.
    static func validateWhole(_ c: JCFedConfig) -> (key: String, problem: String)? {
        if c.idp.url.isEmpty { return ("idp.url", "is required") }
        if c.idp.clientID.isEmpty { return ("idp.client_id", "is required") }
        if c.idp.type == .azure {
            let segments = c.idp.url.splitBytes(UInt8(ascii: "/"), omittingEmpty: false).map(String.init)
            // "https:", "", host, tenant: no trailing slash or empty segment, which would turn
            // "{url}/v2.0/..." into a different path.
            guard segments.count == 4, let tenant = segments.last, !tenant.isEmpty else {
                return ("idp.url", "an azure url is https://login.microsoftonline.com/<directory (tenant) id>, with nothing after the tenant")
            }
            if ["common", "organizations", "consumers"].contains(tenant.lowercased()) {
                return ("idp.url", "'\(tenant)' is a multi-tenant authority; use your directory (tenant) id, a GUID, so tokens from other tenants can never log in")
            }
            if !GUID.isValid(tenant) {
                return ("idp.url", "'\(tenant)' is not a directory (tenant) id; expected a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47")
            }
            if !GUID.isValid(c.idp.clientID) {
                return ("idp.client_id", "an Entra application (client) id is a GUID")
            }
        }
        if c.idp.clientSecret != nil && c.idp.clientSecretFile != nil {
            return ("idp.client_secret", "set either client_secret or client_secret_file, not both")
        }
        if c.idp.loginTimeout <= c.idp.httpTimeout {
            return ("idp.login_timeout", "must be longer than http_timeout")
        }
        return nil
    }

    // MARK: value helpers

    static func words(_ v: String) -> [String] {
        v.splitBytes(where: { $0 == 0x20 || $0 == 0x09 }).map(String.init)
    }

    static func int(_ v: String, _ range: ClosedRange<Int>, into target: inout Int) -> String? {
        guard let n = Int(v), range.contains(n) else {
            return "must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(v)'"
        }
        target = n
        return nil
    }

    static func bool(_ v: String, into target: inout Bool) -> String? {
        switch v.lowercased() {
        case "yes", "true", "on", "1": target = true
        case "no", "false", "off", "0": target = false
        default: return "must be yes or no, not '\(v)'"
        }
        return nil
    }

    static func path(_ v: String, into target: inout String) -> String? {
        guard v.startsWithASCII("/") else { return "must be an absolute path" }
        guard !v.splitBytes(UInt8(ascii: "/")).contains("..") else { return "must not contain '..'" }
        target = v
        return nil
    }

    static func optionalPath(_ v: String, into target: inout String?) -> String? {
        if v.isEmpty { target = nil; return nil }
        var p = ""
        if let problem = path(v, into: &p) { return problem }
        target = p
        return nil
    }

    /// A list value (`pam.services`, `mapping.allowed_domains`, `jcfed enable --services`):
    /// items separated by spaces, tabs or commas.
    public static func list(_ v: String) -> [String] {
        words(v.replacingCommas())
    }

    /// A PAM service: the name of a file in /etc/pam.d that the tool edits, so never a path.
    /// ASCII letters, digits, `.`, `_`, `-` and `+` (Linux-PAM opens /etc/pam.d/<service> with
    /// any name without a `/`; `+` occurs in real package names), at most 64 bytes, not starting
    /// with `.` (hidden files, `..`) or `-` (it would read as an option to the commands the
    /// name is handed to). The module's pam.services and `jcfed enable --services` use this rule.
    public static func isServiceName(_ s: String) -> Bool {
        guard let first = s.utf8.first, first != 0x2e && first != 0x2d, s.utf8.count <= 64 else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)
                || c == 0x2d || c == 0x5f || c == 0x2e || c == 0x2b
        }
    }

    /// On UTF-8 bytes (every login checks idp.url): the host is what follows `https://` up to the
    /// next `/`, and must not be empty.
    static func httpsURLProblem(_ v: String) -> String? {
        guard v.startsWithASCII("https://") else { return "must start with https:// (TLS is always verified)" }
        let rest = v.utf8.dropFirst(8)
        guard let first = rest.first, first != UInt8(ascii: "/") else { return "has no host" }
        let refused: [UInt8] = [UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@"), UInt8(ascii: " ")]
        guard !v.utf8.contains(where: refused.contains) else {
            return "must not contain a query, fragment, user info or spaces"
        }
        return nil
    }
}

extension String {
    func replacingCommas() -> String { String(map { $0 == "," ? " " : $0 }) }
}

/// The value of `routing.groups`: names separated by spaces, tabs or commas; a name that holds
/// spaces is quoted (`groups = "Linux Admins" ops`). No escapes: a name never holds `"`.
/// The admin tool reads and writes the same syntax with these two functions.
public enum GroupList {
    public struct Problem: Error, Equatable { public var text: String }

    public static func parse(_ v: String) -> Result<[String], Problem> {
        var groups: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        func finish() {
            if !current.isEmpty || wasQuoted { groups.append(current) }
            current = ""
            wasQuoted = false
        }
        for ch in v {
            if quoted {
                if ch == "\"" { quoted = false } else { current.append(ch) }
            } else if ch == "\"" {
                guard current.isEmpty, !wasQuoted else { return .failure(Problem(text: "a quote must start a group name")) }
                quoted = true
                wasQuoted = true
            } else if ch == " " || ch == "\t" || ch == "," {
                finish()
            } else {
                if wasQuoted { return .failure(Problem(text: "put a space or comma after a quoted group name")) }
                current.append(ch)
            }
        }
        if quoted { return .failure(Problem(text: "a quoted group name is not closed")) }
        finish()
        if let bad = groups.first(where: { $0.isEmpty || $0.first == " " || $0.last == " " }) {
            return .failure(Problem(text: "'\(bad)' is not a group name (empty, or spaces at its ends)"))
        }
        return .success(groups)
    }

    /// A group name the tool writes: spaces inside are fine ("Linux Admins", written quoted),
    /// but not at its ends, nor quotes, commas or `#` (the value's separators and comments),
    /// nor a leading `-` (an option), nor control characters; at most 256 characters.
    public static func isWritableName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 256 && !s.hasPrefix("#") && !s.hasPrefix("-") && s.first != " " && s.last != " "
            && s.unicodeScalars.allSatisfy { ($0.value > 0x20 || $0 == " ") && $0.value != 0x7f && $0 != "," && $0 != "#" && $0 != "\"" }
    }

    /// The value for a list of names: a name holding a space or tab is quoted.
    public static func format(_ groups: [String]) -> String {
        groups.map { $0.contains(where: { $0 == " " || $0 == "\t" }) ? "\"" + $0 + "\"" : $0 }.joined(separator: " ")
    }
}

public enum DomainName {
    /// A lower-case ASCII DNS name (IDNs in their xn-- form), at least two labels.
    /// One pass over the bytes (every login checks the identity's domain): a Character-wise
    /// split runs Unicode's grapheme breaking. Same answers: any non-ASCII byte fails either way.
    public static func isValidASCII(_ s: String) -> Bool {
        guard s.utf8.count <= 253 else { return false }
        var labels = 1, length = 0
        var previous: UInt8 = 0
        for b in s.utf8 {
            if b == UInt8(ascii: ".") {
                guard length > 0, previous != UInt8(ascii: "-") else { return false }
                labels += 1
                length = 0
            } else {
                guard (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b == 0x2d else { return false }
                guard length > 0 || b != UInt8(ascii: "-") else { return false }
                length += 1
                guard length <= 63 else { return false }
            }
            previous = b
        }
        return labels >= 2 && length > 0 && previous != UInt8(ascii: "-")
    }
}
