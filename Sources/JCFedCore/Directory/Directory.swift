/// The local cache of JumpCloud users (mapping.directory), in the JumpCloud API's own shape.
/// The module only reads it; `jcfed directory sync|import` write it. See DirectoryFile.swift
/// for the file format.
public struct DirectoryUser: Sendable, Equatable {
    /// JumpCloud object id (`_id`).
    public var id: String
    /// JumpCloud username: the name of the local account the agent creates.
    public var username: String
    /// Company email: what JumpCloud federation matches the IdP user with.
    public var email: String
    /// JumpCloud's password status ("password pending" is false), not the account's state.
    public var activated: Bool
    public var suspended: Bool
    public var accountLocked: Bool
    /// STAGED, ACTIVATED or SUSPENDED (as JumpCloud spells it); nil when the record has none.
    public var state: String?
    public var unixUID: Int?
    /// JumpCloud user group names.
    public var groups: [String]

    public init(id: String, username: String, email: String, activated: Bool = true, suspended: Bool = false,
                accountLocked: Bool = false, state: String? = "ACTIVATED", unixUID: Int? = nil, groups: [String] = []) {
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

    /// Suspended by the flag or by JumpCloud's state.
    public var isSuspended: Bool { suspended || state == "SUSPENDED" }

    /// The account is active: JumpCloud's `state` decides when the record has one (ACTIVATED
    /// with "password pending" is a normal combination: a user who signs in only through the
    /// IdP may never set a JumpCloud password); `activated` decides only when `state` is absent.
    public var isActivated: Bool {
        if let s = state { return s == "ACTIVATED" }
        return activated
    }
}

/// Where the data came from and when: what `jcfed directory show` prints and what the staleness
/// policy (mapping.directory_max_age) is measured against.
public struct DirectoryMetadata: Sendable, Equatable {
    /// "api" (org-wide sync), "import" (installed from a file), or another word a newer tool wrote.
    public var source: String
    /// When the user records were fetched from JumpCloud (seconds since the epoch).
    public var syncedAt: Int64?
    /// When the device's binding list was fetched through the System Context API.
    public var bindingsSyncedAt: Int64?

    public init(source: String = "api", syncedAt: Int64? = nil, bindingsSyncedAt: Int64? = nil) {
        self.source = source
        self.syncedAt = syncedAt
        self.bindingsSyncedAt = bindingsSyncedAt
    }
}

public struct Directory: Sendable, Equatable {
    public var users: [DirectoryUser]
    /// Ids of users bound to this device; nil when unknown (binding check off).
    public var boundUserIDs: Set<String>?
    /// File modification time (seconds since the epoch); 0 when not read from a file.
    public var modifiedAt: Int64
    /// The file as it was read (nil when not read from a file).
    public var fileIdentity: FileIdentity?
    public var metadata: DirectoryMetadata
    /// Seconds between the oldest part of the data (users, bindings) and the time of loading.
    public var ageSeconds: Int64 = 0
    /// True when older than mapping.directory_max_age (set by DirectoryLoader).
    public var isStale = false

    private var byUsername: [String: Int]

    public init(users: [DirectoryUser], boundUserIDs: Set<String>? = nil, modifiedAt: Int64 = 0,
                metadata: DirectoryMetadata = DirectoryMetadata()) {
        self.users = users
        self.boundUserIDs = boundUserIDs
        self.modifiedAt = modifiedAt
        self.metadata = metadata
        var index: [String: Int] = [:]
        index.reserveCapacity(users.count)
        var duplicate: (String, String)?
        for (i, u) in users.enumerated() {
            if let earlier = index.updateValue(i, forKey: Directory.usernameKey(u.username)), duplicate == nil,
               earlier < users.count {
                duplicate = (users[earlier].username, u.username)
            }
        }
        self.byUsername = index
        self.duplicateUsername = duplicate?.1
        self.duplicateUsernameOf = duplicate?.0
    }

    /// A username held by two users after case folding (`alice`, `Alice`; canonically
    /// equivalent spellings count as one too): such a directory is invalid, DirectoryFile and
    /// DirectorySync refuse it. `duplicateUsernameOf` is the earlier spelling.
    public private(set) var duplicateUsername: String?
    public private(set) var duplicateUsernameOf: String?

    /// The key usernames must be unique under: ASCII letters folded to lower case. Non-ASCII
    /// usernames are already stable under NFKC case folding (DirectoryFile.isFoldedUsername),
    /// so this is their NFKC_Casefold form.
    public static func usernameKey(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5a }) else { return name }
        return String(decoding: name.utf8.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The JumpCloud user whose username is exactly `name` (byte for byte: account names are
    /// compared the way NSS compares them). Usernames are unique in a valid file.
    public func user(named name: String) -> DirectoryUser? {
        guard let i = byUsername[Directory.usernameKey(name)], i < users.count else { return nil }
        let u = users[i]
        return Array(u.username.utf8) == Array(name.utf8) ? u : nil
    }

    /// The time the staleness policy measures from: the older of the user records and, when a
    /// binding list is present, the binding list; the file's mtime when the file names neither.
    public var dataTime: Int64 {
        var t = metadata.syncedAt ?? modifiedAt
        if boundUserIDs != nil, let b = metadata.bindingsSyncedAt { t = min(t, b) }
        return t
    }

    /// Distinct JumpCloud group names, sorted.
    public var groupNames: [String] {
        Array(Set(users.flatMap { $0.groups })).sorted()
    }

    public static func == (a: Directory, b: Directory) -> Bool {
        a.users == b.users && a.boundUserIDs == b.boundUserIDs && a.modifiedAt == b.modifiedAt
            && a.metadata == b.metadata && a.ageSeconds == b.ageSeconds && a.isStale == b.isStale
    }
}
