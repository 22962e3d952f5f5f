/// Org-wide reads with an administrator's API key (`x-api-key`, optional `x-org-id`):
///
/// - users: API v1 `GET /api/systemusers?limit=100&skip=N&sort=_id` until `totalCount` records
///   were read (JumpCloud's advice: page with `skip` only together with `sort=_id`);
/// - groups: API v2 `GET /api/v2/usergroups?limit=100&skip=N` (a JSON array; a short page ends
///   the list), then for each group `GET /api/v2/usergroups/{id}/members?limit=100&skip=N`,
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
        switch fetchUsers() {
        case .failure(let e): return .failure(e)
        case .success(let r): (users, pages) = r
        }
        let groups: [Group]
        switch fetchGroups() {
        case .failure(let e): return .failure(e)
        case .success(let g): groups = g
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
        return .success(Fetched(users: users, userPages: pages, groups: groups.count, memberships: memberships))
    }

    public func fetchUsers() -> Result<([DirectoryUser], Int), JumpCloudError> {
        var byID: [String: Int] = [:]
        var users: [DirectoryUser] = []
        var skip = 0
        var pages = 0
        var total: Int64 = 0
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
            total = count
            for (i, record) in results.enumerated() {
                switch DirectoryFile.parseUser(record) {
                case .failure(let e):
                    return .failure(JumpCloudError(.malformed, "GET /api/systemusers: record \(skip + i): \(e.problem)"))
                case .success(let u):
                    // With sort=_id a record can still shift between pages while users are added
                    // or removed; the same id twice is kept once.
                    if let at = byID[u.id], at < users.count { users[at] = u } else { byID[u.id] = users.count; users.append(u) }
                }
            }
            skip += results.count
            if results.isEmpty || Int64(skip) >= total { break }
            if pages > Int(total / Int64(pageSize)) + 10 {
                return .failure(JumpCloudError(.inconsistent, "GET /api/systemusers: paging does not end (\(pages) pages for \(total) users)"))
            }
        }
        guard Int64(users.count) == total else {
            return .failure(JumpCloudError(.inconsistent,
                                           "the user list changed during the sync (read \(users.count) of \(total) users); run the sync again"))
        }
        var names = Set<String>()
        for u in users where !names.insert(u.username).inserted {
            return .failure(JumpCloudError(.malformed, "two JumpCloud users are named \(u.username)"))
        }
        return .success((users, pages))
    }

    public func fetchGroups() -> Result<[Group], JumpCloudError> {
        var groups: [Group] = []
        var seen = Set<String>()
        var skip = 0
        while true {
            let url = "\(base)/api/v2/usergroups?limit=\(pageSize)&skip=\(skip)"
            let page: [JSONValue]
            switch http.getJSON(url, what: "GET /api/v2/usergroups (skip \(skip))", headers: { self.headers }) {
            case .failure(let e): return .failure(e)
            case .success(let v):
                guard let arr = v.arrayValue else {
                    return .failure(JumpCloudError(.malformed, "GET /api/v2/usergroups: the answer is not an array"))
                }
                page = arr
            }
            for g in page {
                guard let id = g["id"]?.stringValue, DirectoryFile.isObjectID(id),
                      let name = g["name"]?.stringValue, !name.isEmpty, name.utf8.count <= 256 else {
                    return .failure(JumpCloudError(.malformed, "GET /api/v2/usergroups: a group without a valid id and name"))
                }
                if seen.insert(id).inserted { groups.append(Group(id: id, name: name)) }
            }
            skip += page.count
            if page.count < pageSize { break }
            if skip > 1_000_000 { return .failure(JumpCloudError(.inconsistent, "GET /api/v2/usergroups: paging does not end")) }
        }
        return .success(groups)
    }

    public func fetchMembers(of group: Group) -> Result<[String], JumpCloudError> {
        var ids: [String] = []
        var seen = Set<String>()
        var skip = 0
        while true {
            let url = "\(base)/api/v2/usergroups/\(group.id)/members?limit=\(pageSize)&skip=\(skip)"
            let what = "GET /api/v2/usergroups/\(group.id)/members (skip \(skip))"
            let page: [JSONValue]
            switch http.getJSON(url, what: what, headers: { self.headers }) {
            case .failure(let e): return .failure(e)
            case .success(let v):
                guard let arr = v.arrayValue else { return .failure(JumpCloudError(.malformed, "\(what): the answer is not an array")) }
                page = arr
            }
            for m in page {
                guard let to = m["to"], let id = to["id"]?.stringValue, let type = to["type"]?.stringValue else {
                    return .failure(JumpCloudError(.malformed, "\(what): a member without to.id and to.type"))
                }
                guard type == "user" else { continue }
                guard DirectoryFile.isObjectID(id) else { return .failure(JumpCloudError(.malformed, "\(what): a member id is not a JumpCloud id")) }
                if seen.insert(id).inserted { ids.append(id) }
            }
            skip += page.count
            if page.count < pageSize { break }
            if skip > 1_000_000 { return .failure(JumpCloudError(.inconsistent, "\(what): paging does not end")) }
        }
        return .success(ids)
    }
}
