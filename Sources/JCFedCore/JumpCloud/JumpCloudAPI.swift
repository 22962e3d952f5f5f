/// Org-wide reads with an administrator's API key (`x-api-key`, optional `x-org-id`):
///
/// - users: API v1 `GET /api/systemusers?limit=100&skip=N&sort=_id` until a short page;
///   `totalCount` must be the same on every page and equal the records read
///   (JumpCloud's advice: page with `skip` only together with `sort=_id`);
/// - groups: API v2 `GET /api/v2/usergroups?limit=100&skip=N&sort=_id` (a JSON array; a short
///   page ends the list; `x-total-count` checked when sent, see JumpCloudHTTP.pagedArray), then for each group `GET /api/v2/usergroups/{id}/members?limit=100&skip=N`,
///   whose entries name members as `{"to":{"id":...,"type":"user"}}`. JumpCloud user groups do
///   not nest, so direct members are the members.
///
/// The key is sent only in its header and never appears in a message.
public final class JumpCloudAPI {
    public struct Group: Sendable, Equatable {
        public var id: String
        public var name: String
    }

    public struct Fetched: Sendable, Equatable {
        public var users: [DirectoryUser]
        public var userPages: Int
        public var groups: Int
        public var memberships: Int
        /// Records outside the directory's limits, skipped (one line each).
        public var skipped: [String] = []
    }

    let http: JumpCloudHTTP
    let base: String
    let apiKey: String
    let orgID: String?
    public let pageSize: Int

    public init(http: JumpCloudHTTP, baseURL: String, apiKey: String, orgID: String?, pageSize: Int = 100) {
        self.http = http
        self.base = JumpCloudHTTP.baseURL(baseURL)
        self.apiKey = apiKey
        self.orgID = orgID
        self.pageSize = max(1, min(pageSize, 100))
    }

    var headers: [(String, String)] {
        var h = [("Accept", "application/json"), ("x-api-key", apiKey)]
        if let org = orgID { h.append(("x-org-id", org)) }
        return h
    }

    /// Users with their group names.
    public func fetchDirectoryUsers() -> Result<Fetched, JumpCloudError> {
        var users: [DirectoryUser]
        var pages: Int
        var skipped: [String]
        switch fetchUsersReportingSkipped() {
        case .failure(let e): return .failure(e)
        case .success(let r): (users, pages, skipped) = r
        }
        let groups: [Group]
        switch fetchGroupsReportingSkipped() {
        case .failure(let e): return .failure(e)
        case .success(let g): (groups, skipped) = (g.0, skipped + g.1)
        }
        var namesByUser: [String: Set<String>] = [:]
        var memberships = 0
        for group in groups {
            switch fetchMembers(of: group) {
            case .failure(let e): return .failure(e)
            case .success(let ids):
                for id in ids { namesByUser[id, default: []].insert(group.name) }
                memberships += ids.count
            }
        }
        for i in users.indices {
            users[i].groups = (namesByUser[users[i].id] ?? []).sorted()
        }
        return .success(Fetched(users: users, userPages: pages, groups: groups.count, memberships: memberships, skipped: skipped))
    }

    /// A record skipped because it is outside the limits of the directory file (JumpCloud allows
    /// usernames and emails up to 1,024 characters and group names of any length): named in the
    /// report, not fatal to the sync.
    public static func describeSkipped(kind: String, id: String, name: String?, problem: String) -> String {
        "\(kind) \(id)" + (name.map { " (\(printable($0)))" } ?? "") + ": \(problem)"
    }

    /// At most 64 characters of `s`, control characters replaced, for a report line.
    static func printable(_ s: String) -> String {
        var out = ""
        var n = 0
        for u in s.unicodeScalars {
            if n == 64 { out += "..."; break }
            out.unicodeScalars.append(u.value < 0x20 || (0x7f...0x9f).contains(u.value) ? "?" : u)
            n += 1
        }
        return out
    }

    /// A record that has the shape of a user (id, username, the three flags) but that the
    /// directory parser refuses: outside its limits, so skipped rather than fatal.
    static func hasUserShape(_ record: JSONValue) -> (String, String)? {
        guard let o = record.objectValue else { return nil }
        if let a = o["_id"]?.stringValue, let b = o["id"]?.stringValue, a != b { return nil }
        guard let id = o["_id"]?.stringValue ?? o["id"]?.stringValue, DirectoryFile.isObjectID(id),
              let name = o["username"]?.stringValue,
              o["activated"]?.boolValue != nil, o["suspended"]?.boolValue != nil, o["account_locked"]?.boolValue != nil else { return nil }
        return (id, name)
    }

    /// Users (v1), skipped records described. Paged with `sort=_id` until a short page;
    /// `totalCount` must be the same on every page and equal the distinct records read.
    public func fetchUsers() -> Result<([DirectoryUser], Int), JumpCloudError> {
        fetchUsersReportingSkipped().map { ($0.0, $0.1) }
    }

    public func fetchUsersReportingSkipped() -> Result<([DirectoryUser], Int, [String]), JumpCloudError> {
        var byID: [String: Int] = [:]
        var users: [DirectoryUser] = []
        var skipped: [String] = []
        var skippedIDs = Set<String>()
        var skip = 0
        var pages = 0
        var total: Int64?
        while true {
            let url = "\(base)/api/systemusers?limit=\(pageSize)&skip=\(skip)&sort=_id"
            let page: JSONValue
            switch http.getJSON(url, what: "GET /api/systemusers (skip \(skip))", headers: { self.headers }) {
            case .failure(let e): return .failure(e)
            case .success(let v): page = v
            }
            pages += 1
            guard let results = page["results"]?.arrayValue, let count = page["totalCount"]?.int64Value, count >= 0 else {
                return .failure(JumpCloudError(.malformed, "GET /api/systemusers: the answer has no results array and totalCount"))
            }
            if let t = total, t != count {
                return .failure(JumpCloudError(.inconsistent,
                    "GET /api/systemusers: totalCount changed from \(t) to \(count) while paging (the user list changed during the sync); run the sync again"))
            }
            total = count
            guard results.count <= pageSize else {
                return .failure(JumpCloudError(.malformed, "GET /api/systemusers: \(results.count) records in a page of \(pageSize)"))
            }
            for (i, record) in results.enumerated() {
                switch DirectoryFile.parseUser(record) {
                case .failure(let e):
                    guard let (id, name) = JumpCloudAPI.hasUserShape(record) else {
                        return .failure(JumpCloudError(.malformed, "GET /api/systemusers: record \(skip + i): \(e.problem)"))
                    }
                    if skippedIDs.insert(id).inserted {
                        skipped.append(JumpCloudAPI.describeSkipped(kind: "user", id: id, name: name, problem: e.problem))
                    }
                case .success(let u):
                    // With sort=_id a record can still shift between pages while users are added
                    // or removed; the same id twice is kept once.
                    if let at = byID[u.id], at < users.count { users[at] = u } else { byID[u.id] = users.count; users.append(u) }
                }
            }
            skip += results.count
            if skip > JumpCloudHTTP.maxListEntries || pages > JumpCloudHTTP.maxListEntries / pageSize + 2 {
                return .failure(JumpCloudError(.inconsistent, "GET /api/systemusers: paging does not end (\(pages) pages for \(count) users)"))
            }
            if Int64(skip) > count {
                return .failure(JumpCloudError(.inconsistent,
                    "GET /api/systemusers: more records than totalCount (\(skip) of \(count)); run the sync again"))
            }
            // A full page may have a successor even when totalCount is reached: a server that
            // under-reports must not cut the directory short, so only a short page ends the list.
            if results.count < pageSize { break }
        }
        let distinct = users.count + skippedIDs.subtracting(byID.keys).count
        guard Int64(distinct) == total ?? 0 else {
            return .failure(JumpCloudError(.inconsistent,
                                           "the user list changed during the sync (read \(distinct) of \(total ?? 0) users); run the sync again"))
        }
        if skipped.count > 10 && skipped.count * 10 > distinct {
            return .failure(JumpCloudError(.malformed, "\(skipped.count) of \(distinct) user records are outside jcfed's limits, e.g. " + (skipped.first ?? "")))
        }
        var names = Set<String>()
        for u in users where !names.insert(u.username).inserted {
            return .failure(JumpCloudError(.malformed, "two JumpCloud users are named \(u.username)"))
        }
        return .success((users, pages, skipped))
    }

    /// Groups (v2, `sort=_id`); a group whose name the directory cannot hold (empty or longer
    /// than 256 bytes) is skipped and reported.
    public func fetchGroups() -> Result<[Group], JumpCloudError> {
        fetchGroupsReportingSkipped().map { $0.0 }
    }

    public func fetchGroupsReportingSkipped() -> Result<([Group], [String]), JumpCloudError> {
        let what = "GET /api/v2/usergroups"
        let entries: [JSONValue]
        switch http.pagedArray(what: what, pageSize: pageSize, fetch: { skip in
            self.http.getJSONWithHeaders("\(self.base)/api/v2/usergroups?limit=\(self.pageSize)&skip=\(skip)&sort=_id",
                                         what: "\(what) (skip \(skip))", headers: { self.headers })
        }) {
        case .failure(let e): return .failure(e)
        case .success(let e): entries = e
        }
        var groups: [Group] = []
        var skipped: [String] = []
        var seen = Set<String>()
        for g in entries {
            guard let id = g["id"]?.stringValue, DirectoryFile.isObjectID(id), let name = g["name"]?.stringValue else {
                return .failure(JumpCloudError(.malformed, "\(what): a group without a valid id and name"))
            }
            guard seen.insert(id).inserted else { continue }
            guard !name.isEmpty, name.utf8.count <= 256 else {
                skipped.append(JumpCloudAPI.describeSkipped(kind: "group", id: id, name: name,
                                                            problem: "the name is empty or longer than 256 bytes"))
                continue
            }
            groups.append(Group(id: id, name: name))
        }
        return .success((groups, skipped))
    }

    public func fetchMembers(of group: Group) -> Result<[String], JumpCloudError> {
        let what = "GET /api/v2/usergroups/\(group.id)/members"
        let entries: [JSONValue]
        switch http.pagedArray(what: what, pageSize: pageSize, fetch: { skip in
            self.http.getJSONWithHeaders("\(self.base)/api/v2/usergroups/\(group.id)/members?limit=\(self.pageSize)&skip=\(skip)",
                                         what: "\(what) (skip \(skip))", headers: { self.headers })
        }) {
        case .failure(let e): return .failure(e)
        case .success(let e): entries = e
        }
        var ids: [String] = []
        var seen = Set<String>()
        for m in entries {
            guard let to = m["to"], let id = to["id"]?.stringValue, let type = to["type"]?.stringValue else {
                return .failure(JumpCloudError(.malformed, "\(what): a member without to.id and to.type"))
            }
            guard type == "user" else { continue }
            guard DirectoryFile.isObjectID(id) else { return .failure(JumpCloudError(.malformed, "\(what): a member id is not a JumpCloud id")) }
            if seen.insert(id).inserted { ids.append(id) }
        }
        return .success(ids)
    }
}
