/// The parsed configuration: `/etc/jcfed/jcfed.conf`, documented in jcfed.conf(5).
/// Every field has the default the man page states; the parser only overrides what the file sets.
public struct JCFedConfig: Sendable, Equatable {
    public var idp = IdPSettings()
    public var mapping = MappingSettings()
    public var routing = RoutingSettings()
    public var jumpcloud = JumpCloudSettings()
    public var pam = PAMSettings()
    public init() {}
}

public enum IdPType: String, Sendable, CaseIterable { case azure, oidc }
public enum QRMode: String, Sendable, CaseIterable { case auto, on, off }
public enum MappingFallback: String, Sendable, CaseIterable { case none, localpart, full }
public enum StaleDirectoryPolicy: String, Sendable, CaseIterable { case warn, deny }
public enum OfflinePolicy: String, Sendable, CaseIterable {
    case localPassword = "local-password"
    case deny
}

public struct IdPSettings: Sendable, Equatable {
    public var type: IdPType = .azure
    public var name = "Entra OIDC"
    /// azure: the authority `https://login.microsoftonline.com/<tenant id>` (no trailing slash);
    /// oidc: the issuer, exactly as the provider states it.
    public var url = ""
    public var clientID = ""
    public var clientSecretFile: String?
    /// Inline secret (discouraged; the file must then not be readable by others).
    public var clientSecret: String?
    public var scopes = ["openid", "profile", "email"]
    public var caFile: String?
    public var proxy: String?
    public var httpTimeout = 10
    public var loginTimeout = 110
    public var clockSkew = 60
    public var cacheDir = "/var/cache/jcfed"
    /// Seconds since its fetch for which a cached discovery document or JWK Set may still be used
    /// when refreshing it fails (0: never past its lifetime).
    public var cacheMaxStale = 604_800
    public var qr: QRMode = .auto
    public init() {}

    /// The tenant GUID of an azure authority (last path segment of `url`), lower-cased.
    public var tenantID: String? {
        guard type == .azure else { return nil }
        let last: String
        if url.utf8.allSatisfy({ $0 < 0x80 }) {
            // Every real authority: on bytes, which in ASCII are the Characters the split
            // below sees (it runs several times a login).
            let bytes = url.utf8
            var end = bytes.endIndex
            while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "/") {
                end = bytes.index(before: end)
            }
            let start = bytes[bytes.startIndex..<end].lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) }
                ?? bytes.startIndex
            last = String(decoding: bytes[start..<end], as: UTF8.self)
        } else {
            // Outside ASCII a slash can belong to the Character before it (a prepended mark).
            guard let piece = url.split(separator: "/").last else { return nil }
            last = String(piece)
        }
        let t = last.lowercased()
        return GUID.isValid(t) ? t : nil
    }
}

public struct MappingSettings: Sendable, Equatable {
    public var claims = ["upn", "preferred_username", "email"]
    public var directory = "/var/lib/jcfed/directory.json"
    public var fallback: MappingFallback = .localpart
    public var allowedDomains: [String] = []
    public var minUID: UInt32 = 1000
    public var stateDir = "/var/lib/jcfed"
    public var pinIdentity = true
    public var allowGuests = false
    /// Trust `preferred_username` from a `type = oidc` provider (users may choose it there).
    public var trustPreferredUsername = false
    /// Seconds after which the directory counts as stale; 0 = never.
    public var directoryMaxAge = 7 * 86400
    public var staleDirectory: StaleDirectoryPolicy = .warn
    public init() {}
}

public struct RoutingSettings: Sendable, Equatable {
    /// Empty: every mapped user is federated.
    public var groups: [String] = []
    public init() {}
}

/// Used by `jcfed directory sync`; never read by the module at login.
public struct JumpCloudSettings: Sendable, Equatable {
    public var apiURL = "https://console.jumpcloud.com"
    public var apiKeyFile = "/etc/jcfed/jumpcloud_api_key"
    public var orgID: String?
    public var agentDir = "/opt/jc"
    public init() {}
}

/// Written by `jcfed enable`, shown by `jcfed status`. The PAM stack carries the behaviour.
public struct PAMSettings: Sendable, Equatable {
    public var offline: OfflinePolicy = .localPassword
    public var services: [String] = []
    public init() {}
}

public enum GUID {
    /// Two GUIDs name the same object whatever the case of their hex digits (Entra writes them
    /// lowercase in tokens; admins paste them from portals in either case). Anything that is not
    /// a GUID compares byte for byte.
    public static func sameID(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard isValid(a), isValid(b) else { return false }
        return a.lowercased() == b.lowercased()
    }

    /// 8-4-4-4-12 hex digits: 36 bytes, the dashes at offsets 8, 13, 18 and 23. Byte by byte:
    /// it runs at every login (the configured tenant and client ids).
    public static func isValid(_ s: String) -> Bool {
        var offset = 0
        for c in s.utf8 {
            switch offset {
            case 8, 13, 18, 23:
                guard c == 0x2d else { return false }
            default:
                guard (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) else { return false }
            }
            offset += 1
            if offset > 36 { return false }
        }
        return offset == 36
    }
}
