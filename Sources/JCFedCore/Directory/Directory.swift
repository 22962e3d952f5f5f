/// The local cache of JumpCloud users (mapping.directory), in the JumpCloud API's own shape.
/// STUB: completed by the identity work (parser, bindings, staleness).
public struct DirectoryUser: Sendable, Equatable {
    public var id: String
    public var username: String
    public var email: String
    public var activated: Bool
    public var suspended: Bool
    public var accountLocked: Bool
    public var state: String
    public var unixUID: Int?
    /// JumpCloud user group names.
    public var groups: [String]

    public init(id: String, username: String, email: String, activated: Bool = true, suspended: Bool = false,
                accountLocked: Bool = false, state: String = "ACTIVATED", unixUID: Int? = nil, groups: [String] = []) {
        self.id = id
        self.username = username
        self.email = email
        self.activated = activated
        self.suspended = suspended
        self.accountLocked = accountLocked
        self.state = state
        self.unixUID = unixUID
        self.groups = groups
    }
}

public struct Directory: Sendable, Equatable {
    public var users: [DirectoryUser]
    /// Ids of users bound to this device; nil when unknown (binding check off).
    public var boundUserIDs: Set<String>?
    /// File modification time (seconds since the epoch).
    public var modifiedAt: Int64

    public init(users: [DirectoryUser], boundUserIDs: Set<String>? = nil, modifiedAt: Int64 = 0) {
        self.users = users
        self.boundUserIDs = boundUserIDs
        self.modifiedAt = modifiedAt
    }
}

public enum DirectoryLoader {
    /// nil when no directory file exists (mapping then uses the fallback).
    public static func load(settings: MappingSettings, now: Int64) -> Result<Directory?, ConfigError> {
        .success(nil)
    }
}
