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
        /// Records skipped because they are outside the directory's limits, one line each.
        public var skipped: [String] = []

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
            if !skipped.isEmpty {
                out.append("skipped \(skipped.count) records outside jcfed's limits:")
                out += skipped.prefix(20).map { "  skipped " + $0 }
                if skipped.count > 20 { out.append("  ... and \(skipped.count - 20) more") }
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
        if let problem = DirectoryFile.duplicateProblem(directory) {
            return .failure(JumpCloudError(.malformed, "the JumpCloud users are not consistent: " + problem))
        }
        let http = api?.http ?? systemContext?.http
        let report = Report(users: users.count, userPages: fetched?.userPages, groups: fetched?.groups,
                            memberships: fetched?.memberships, boundUsers: boundSet?.count,
                            boundButUnknown: unknownBound(directory), requests: http?.requests ?? 0,
                            retries: http?.retries ?? 0, usersFetched: fetched != nil, bindingsFetched: bound != nil,
                            skipped: fetched?.skipped ?? [])
        return .success((directory, report))
    }

    /// Why an import cannot be installed.
    public struct ImportRefusal: Error, Equatable, Sendable, CustomStringConvertible {
        public var problem: String
        public init(_ problem: String) { self.problem = problem }
        public var description: String { problem }
    }

    /// The directory to install from an imported file. Its time is the file's `synced_at` or
    /// `syncedAt` (the admin's `--synced-at`), never the time of the import: an old export must
    /// not look fresh. Neither, the two disagreeing, or a time in the future: refused.
    public static func importing(_ imported: Directory, existing: Directory?, now: Int64,
                                 syncedAt given: Int64? = nil) -> Result<(Directory, Report), ImportRefusal> {
        var meta = imported.metadata
        meta.source = "import"
        switch (meta.syncedAt, given) {
        case (nil, nil):
            return .failure(ImportRefusal("has no jcfed.synced_at: say when its user records were exported from JumpCloud with --synced-at (epoch seconds or RFC 3339 UTC, e.g. 2026-01-31T12:00:00Z)"))
        case (let a?, let b?) where a != b:
            return .failure(ImportRefusal("says jcfed.synced_at \(a) but --synced-at is \(b)"))
        case (nil, let b?): meta.syncedAt = b
        default: break
        }
        if let problem = DirectoryLoader.futureProblem(meta, now: now) {
            return .failure(ImportRefusal(problem))
        }
        if let problem = DirectoryFile.duplicateProblem(imported) { return .failure(ImportRefusal(problem)) }
        var bound = imported.boundUserIDs
        if let old = existing, let oldBound = old.boundUserIDs {
            bound = oldBound
            meta.bindingsSyncedAt = old.metadata.bindingsSyncedAt
        }
        if bound == nil { meta.bindingsSyncedAt = nil }
        let directory = Directory(users: imported.users, boundUserIDs: bound, metadata: meta)
        let groups = Set(imported.users.flatMap { $0.groups }).count
        let memberships = imported.users.reduce(0) { $0 + Set($1.groups).count }
        let report = Report(users: imported.users.count, userPages: nil, groups: groups, memberships: memberships,
                            boundUsers: bound?.count, boundButUnknown: unknownBound(directory), requests: 0, retries: 0,
                            usersFetched: true, bindingsFetched: false)
        return .success((directory, report))
    }

    /// A new directory may drop at most this many users, or this share (percent) of the installed
    /// ones, whichever is larger, without `--allow-shrink`.
    public static let shrinkFreeUsers = 2
    public static let shrinkFreePercent = 10

    /// What shrank, when `new` drops more than shrinkFreeUsers and more than shrinkFreePercent
    /// of the users of `old` (by id: a renamed user is not dropped), or every user bound to this
    /// device; nil when it did not shrink that much. A wrong org, a filtered export or a
    /// half-deleted org must not quietly turn directory users into "not in the directory".
    public static func shrinkage(from old: Directory, to new: Directory) -> String? {
        var problems: [String] = []
        let kept = Set(new.users.map { $0.id })
        let dropped = old.users.filter { !kept.contains($0.id) }
        if dropped.count > shrinkFreeUsers && dropped.count * 100 > old.users.count * shrinkFreePercent {
            let names = dropped.prefix(5).map { $0.username }.joined(separator: ", ")
            problems.append("drops \(dropped.count) of the \(old.users.count) users (\(names)\(dropped.count > 5 ? ", ..." : ""))")
        }
        if let oldBound = old.boundUserIDs, !oldBound.isEmpty, new.boundUserIDs?.isEmpty ?? true {
            problems.append("drops all \(oldBound.count) users bound to this device")
        }
        return problems.isEmpty ? nil : "the new directory " + problems.joined(separator: " and ")
    }

    /// `--synced-at`: seconds since the epoch, or an RFC 3339 time in UTC
    /// (`2026-01-31T12:00:00Z`, fractions of a second ignored, `+00:00` for `Z` accepted).
    public static func parseTime(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ r: Range<Int>) -> Int64? {
            guard r.upperBound <= b.count, !r.isEmpty else { return nil }
            var n: Int64 = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int64(b[i] - 0x30)
            }
            return n
        }
        if !b.isEmpty, b.count <= 12, let n = digits(0..<b.count) { return n }
        guard b.count >= 20, let y = digits(0..<4), b[4] == 0x2d, let mo = digits(5..<7), b[7] == 0x2d,
              let d = digits(8..<10), b[10] == 0x54 || b[10] == 0x74, let h = digits(11..<13), b[13] == 0x3a,
              let mi = digits(14..<16), b[16] == 0x3a, let sec = digits(17..<19) else { return nil }
        var i = 19
        if b[i] == 0x2e {
            i += 1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start else { return nil }
        }
        let zone = Array(b[i...])
        guard zone == [0x5a] || zone == [0x7a] || zone == Array("+00:00".utf8) else { return nil }
        let monthDays: [Int64] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard y >= 1970, (1...12).contains(mo), d >= 1, d <= monthDays[Int(mo) - 1], h < 24, mi < 60, sec < 61 else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        guard mo != 2 || d <= 28 || leap else { return nil }
        return HTTPDate.daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec
    }

    static func unknownBound(_ d: Directory) -> Int {
        guard let bound = d.boundUserIDs else { return 0 }
        let ids = Set(d.users.map { $0.id })
        return bound.filter { !ids.contains($0) }.count
    }
}
