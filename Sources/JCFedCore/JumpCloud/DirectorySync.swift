/// Builds the next directory from what was fetched and what is installed, for
/// `jcfed directory sync` and `jcfed directory import`. Nothing here writes a file: the caller
/// writes the result atomically, and on any failure writes nothing, so the old file stays.
///
/// Two sources, each optional, and the installed file fills in what a run did not fetch:
/// - user records and groups, org-wide (API key; usually on an admin host, then distributed);
/// - this device's binding list (System Context API, on the device itself).
/// An import replaces the user records and keeps the installed binding list, which describes
/// this device and cannot come from an admin host (the imported file's own list is used only
/// when none is installed).
public enum DirectorySync {
    public struct Report: Sendable, Equatable {
        public var users: Int
        public var userPages: Int?
        public var groups: Int?
        public var memberships: Int?
        /// nil when the binding check is off.
        public var boundUsers: Int?
        /// Bound ids with no user record in the directory (bound, but unknown to the file).
        public var boundButUnknown: Int
        public var requests: Int
        public var retries: Int
        public var usersFetched: Bool
        public var bindingsFetched: Bool

        public var lines: [String] {
            var out: [String] = []
            if usersFetched {
                var s = "users: \(users)" + (userPages.map { " (\($0) pages)" } ?? "")
                if let g = groups { s += ", groups: \(g), memberships: \(memberships ?? 0)" }
                out.append(s)
            } else {
                out.append("users: \(users) (kept from the installed directory)")
            }
            if let b = boundUsers {
                out.append("bound to this device: \(b) users" + (bindingsFetched ? "" : " (kept from the installed directory)")
                           + (boundButUnknown > 0 ? "; \(boundButUnknown) bound ids have no user record" : ""))
            } else {
                out.append("bound to this device: unknown (binding check off)")
            }
            if requests > 0 { out.append("requests: \(requests), retries: \(retries)") }
            return out
        }
    }

    public static func run(api: JumpCloudAPI?, systemContext: SystemContextClient?, existing: Directory?,
                           now: Int64) -> Result<(Directory, Report), JumpCloudError> {
        guard api != nil || systemContext != nil else {
            return .failure(JumpCloudError(.configuration, "nothing to sync from: no API key and no JumpCloud agent"))
        }
        var fetched: JumpCloudAPI.Fetched?
        if let api = api {
            switch api.fetchDirectoryUsers() {
            case .failure(let e): return .failure(e)
            case .success(let f): fetched = f
            }
        }
        var bound: [String]?
        if let sc = systemContext {
            switch sc.fetchBoundUserIDs() {
            case .failure(let e): return .failure(e)
            case .success(let ids): bound = ids
            }
        }
        let users: [DirectoryUser]
        var meta = existing?.metadata ?? DirectoryMetadata()
        if let f = fetched {
            users = f.users
            meta.source = "api"
            meta.syncedAt = now
        } else if let old = existing {
            users = old.users
        } else {
            return .failure(JumpCloudError(.configuration,
                                           "there is no directory to add this device's bindings to: the binding list holds only ids, which are joined with the org-wide user records; install those first (jcfed directory import FILE, or sync with an API key)"))
        }
        var boundSet = existing?.boundUserIDs
        if let ids = bound {
            boundSet = Set(ids)
            meta.bindingsSyncedAt = now
        }
        if boundSet == nil { meta.bindingsSyncedAt = nil }
        let directory = Directory(users: users, boundUserIDs: boundSet, metadata: meta)
        let http = api?.http ?? systemContext?.http
        let report = Report(users: users.count, userPages: fetched?.userPages, groups: fetched?.groups,
                            memberships: fetched?.memberships, boundUsers: boundSet?.count,
                            boundButUnknown: unknownBound(directory), requests: http?.requests ?? 0,
                            retries: http?.retries ?? 0, usersFetched: fetched != nil, bindingsFetched: bound != nil)
        return .success((directory, report))
    }

    /// The directory to install from an imported file.
    public static func importing(_ imported: Directory, existing: Directory?, now: Int64) -> (Directory, Report) {
        var meta = imported.metadata
        meta.source = "import"
        if meta.syncedAt == nil { meta.syncedAt = now }
        var bound = imported.boundUserIDs
        if let old = existing, let oldBound = old.boundUserIDs {
            bound = oldBound
            meta.bindingsSyncedAt = old.metadata.bindingsSyncedAt
        }
        if bound == nil { meta.bindingsSyncedAt = nil }
        let directory = Directory(users: imported.users, boundUserIDs: bound, metadata: meta)
        let groups = Set(imported.users.flatMap { $0.groups }).count
        let report = Report(users: imported.users.count, userPages: nil, groups: groups, memberships: nil,
                            boundUsers: bound?.count, boundButUnknown: unknownBound(directory), requests: 0, retries: 0,
                            usersFetched: true, bindingsFetched: false)
        return (directory, report)
    }

    static func unknownBound(_ d: Directory) -> Int {
        guard let bound = d.boundUserIDs else { return 0 }
        let ids = Set(d.users.map { $0.id })
        return bound.filter { !ids.contains($0) }.count
    }
}
