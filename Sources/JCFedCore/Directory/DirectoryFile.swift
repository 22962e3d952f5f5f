/// The directory file: JumpCloud's own `GET /api/systemusers` shape, so a raw API export can be
/// imported, plus two additions of ours:
///
///     {"totalCount": 2,
///      "jcfed": {"version": 1, "source": "api", "synced_at": 1700000000,
///                "bound_user_ids": ["5f1b..."] | null, "bindings_synced_at": 1700000000 | null},
///      "results": [
///        {"_id": "5f1b...", "username": "alice", "email": "alice@contoso.com", "activated": true,
///         "suspended": false, "account_locked": false, "state": "ACTIVATED", "unix_uid": 5001,
///         "jcfed_groups": ["Engineering"]},
///        ...]}
///
/// `jcfed_groups` holds the user's JumpCloud user group names (from API v2, which the v1 record
/// does not carry). `jcfed.bound_user_ids` lists the users bound to this device (System Context
/// API); null or absent means unknown, and the binding check is then off.
///
/// Parsing is strict: a record whose fields have the wrong type, two records with the same id,
/// two usernames that are the same name ignoring case (`alice`, `Alice`), a non-ASCII username
/// that is not stable under NFKC case folding, or a `totalCount` that differs from the number of
/// records (a truncated export) make the whole file invalid. `state` may be absent (nil). Fields we do not use are ignored on input and dropped on output (a
/// JumpCloud record carries addresses and phone numbers we have no business copying around).
public enum DirectoryFile {
    /// The largest file read (about 100,000 users).
    public static let maxBytes = 32 << 20
    public static let formatVersion = 1

    public struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        public var problem: String
        public init(_ problem: String) { self.problem = problem }
        public var description: String { problem }
    }

    // MARK: reading

    public static func parse(_ bytes: [UInt8]) -> Result<Directory, Invalid> {
        let root: JSONValue
        switch JSONParser.parse(bytes, maxBytes: maxBytes) {
        case .failure(let e): return .failure(Invalid("is not valid JSON (\(describe(e)))"))
        case .success(let v): root = v
        }
        guard let object = root.objectValue else { return .failure(Invalid("is not a JSON object")) }
        guard let results = object["results"]?.arrayValue else {
            return .failure(Invalid("has no \"results\" array (expected the shape of GET /api/systemusers)"))
        }
        guard let total = object["totalCount"]?.int64Value else {
            return .failure(Invalid("has no integer \"totalCount\""))
        }
        guard total == Int64(results.count) else {
            return .failure(Invalid("says totalCount \(total) but holds \(results.count) records (truncated or partial export?)"))
        }
        var users: [DirectoryUser] = []
        users.reserveCapacity(results.count)
        var ids = Set<String>()
        ids.reserveCapacity(results.count)
        for (i, record) in results.enumerated() {
            let user: DirectoryUser
            switch parseUser(record) {
            case .failure(let e): return .failure(Invalid("record \(i): \(e.problem)"))
            case .success(let u): user = u
            }
            guard ids.insert(user.id).inserted else {
                return .failure(Invalid("record \(i): _id \(user.id) appears twice"))
            }
            users.append(user)
        }
        var meta = DirectoryMetadata(source: "import")
        var bound: Set<String>?
        if let j = object["jcfed"], j != .null {
            guard let jo = j.objectValue else { return .failure(Invalid("\"jcfed\" is not an object")) }
            if let v = jo["version"] {
                guard let n = v.int64Value else { return .failure(Invalid("jcfed.version is not an integer")) }
                guard n == Int64(formatVersion) else {
                    return .failure(Invalid("jcfed.version \(n) is not supported (this jcfed reads version \(formatVersion))"))
                }
            }
            if let s = jo["source"] {
                guard let str = s.stringValue, !str.isEmpty, str.utf8.count <= 32 else {
                    return .failure(Invalid("jcfed.source is not a short string"))
                }
                meta.source = str
            }
            switch optionalTime(jo["synced_at"], "jcfed.synced_at") {
            case .failure(let e): return .failure(e)
            case .success(let t): meta.syncedAt = t
            }
            switch optionalTime(jo["bindings_synced_at"], "jcfed.bindings_synced_at") {
            case .failure(let e): return .failure(e)
            case .success(let t): meta.bindingsSyncedAt = t
            }
            if let b = jo["bound_user_ids"], b != .null {
                guard let arr = b.arrayValue else { return .failure(Invalid("jcfed.bound_user_ids is not an array or null")) }
                var set = Set<String>()
                for v in arr {
                    guard let s = v.stringValue, isObjectID(s) else {
                        return .failure(Invalid("jcfed.bound_user_ids holds something that is not a JumpCloud id"))
                    }
                    set.insert(s)
                }
                bound = set
            }
        }
        let directory = Directory(users: users, boundUserIDs: bound, metadata: meta)
        if let problem = duplicateProblem(directory) { return .failure(Invalid(problem)) }
        return .success(directory)
    }

    static func parseUser(_ record: JSONValue) -> Result<DirectoryUser, Invalid> {
        guard let o = record.objectValue else { return .failure(Invalid("is not an object")) }
        // v1 records carry both "_id" and "id"; either will do, and they must agree.
        let id: String
        switch (o["_id"]?.stringValue, o["id"]?.stringValue) {
        case (let a?, let b?) where a != b: return .failure(Invalid("_id and id differ"))
        case (let a?, _): id = a
        case (nil, let b?): id = b
        default: return .failure(Invalid("has no string _id"))
        }
        guard isObjectID(id) else { return .failure(Invalid("_id is not a JumpCloud id")) }
        guard let username = o["username"]?.stringValue else { return .failure(Invalid("has no string username")) }
        guard isPlausibleUsername(username) else {
            return .failure(Invalid("username of \(id) is empty, too long or has a control character, space or slash"))
        }
        guard isFoldedUsername(username) else {
            return .failure(Invalid("username of \(id) has a non-ASCII character that is upper case, a compatibility form or a combining mark (a non-ASCII username must be stable under NFKC case folding)"))
        }
        var email = ""
        if let e = o["email"], e != .null {
            guard let s = e.stringValue, s.utf8.count <= 320 else { return .failure(Invalid("email of \(id) is not a string")) }
            email = s
        }
        func flag(_ key: String) -> Result<Bool, Invalid> {
            guard let v = o[key] else { return .failure(Invalid("\(key) of \(id) is missing")) }
            guard let b = v.boolValue else { return .failure(Invalid("\(key) of \(id) is not true or false")) }
            return .success(b)
        }
        let activated: Bool, suspended: Bool, locked: Bool
        switch flag("activated") { case .failure(let e): return .failure(e); case .success(let b): activated = b }
        switch flag("suspended") { case .failure(let e): return .failure(e); case .success(let b): suspended = b }
        switch flag("account_locked") { case .failure(let e): return .failure(e); case .success(let b): locked = b }
        // Absent (older records): nil, and AccountCheck then goes by `activated` and `suspended`.
        var state: String?
        if let s = o["state"], s != .null {
            guard let str = s.stringValue, !str.isEmpty, str.utf8.count <= 32 else {
                return .failure(Invalid("state of \(id) is not a short string"))
            }
            state = str
        }
        var uid: Int?
        if let u = o["unix_uid"], u != .null {
            guard let n = u.int64Value, n >= 0, n <= Int64(UInt32.max) else {
                return .failure(Invalid("unix_uid of \(id) is not a whole number"))
            }
            uid = Int(n)
        }
        var groups: [String] = []
        if let g = o["jcfed_groups"], g != .null {
            guard let arr = g.arrayValue else { return .failure(Invalid("jcfed_groups of \(id) is not an array")) }
            for v in arr {
                guard let s = v.stringValue, !s.isEmpty, s.utf8.count <= 256 else {
                    return .failure(Invalid("jcfed_groups of \(id) holds something that is not a group name"))
                }
                groups.append(s)
            }
        }
        return .success(DirectoryUser(id: id, username: username, email: email, activated: activated,
                                      suspended: suspended, accountLocked: locked, state: state,
                                      unixUID: uid, groups: groups))
    }

    /// Why the usernames of `d` are not unique after case folding; nil when they are.
    public static func duplicateProblem(_ d: Directory) -> String? {
        guard let dup = d.duplicateUsername else { return nil }
        let first = d.duplicateUsernameOf ?? dup
        if Array(first.utf8) == Array(dup.utf8) { return "username '\(dup)' appears twice" }
        return "usernames '\(first)' and '\(dup)' are the same name (usernames must be unique ignoring case); username '\(dup)' appears twice"
    }

    static func optionalTime(_ v: JSONValue?, _ name: String) -> Result<Int64?, Invalid> {
        guard let v = v, v != .null else { return .success(nil) }
        guard let n = v.int64Value, n >= 0 else { return .failure(Invalid("\(name) is not a time in seconds")) }
        return .success(n)
    }

    /// JumpCloud ids are 24 hex digits; accept any short ASCII alphanumeric id so a future id
    /// format does not break the cache, but never anything that could bend a URL path.
    public static func isObjectID(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a)
        }
    }

    /// Not empty, at most 256 bytes, no space, slash or control character (C1 controls are
    /// U+0080-U+009F, in UTF-8 0xC2 0x80-0x9F). Byte-level: this runs for every user at login.
    static func isPlausibleUsername(_ s: String) -> Bool {
        let utf8 = s.utf8
        guard !utf8.isEmpty, utf8.count <= 256 else { return false }
        var afterC2 = false
        for b in utf8 {
            if b < 0x21 || b == 0x7f || b == 0x2f || (afterC2 && b < 0xa0) { return false }
            afterC2 = b == 0xc2
        }
        return true
    }

    /// ASCII, or every non-ASCII character unchanged by NFKC case folding (Unicode property
    /// Changes_When_NFKC_Casefolded is false: no upper case, no compatibility form such as a
    /// ligature or a full-width letter, no default-ignorable character) and not one that can
    /// compose with its neighbour (a combining mark, a conjoining Hangul jamo). Such a name is
    /// its own NFKC_Casefold form apart from ASCII upper case, which Directory.usernameKey
    /// folds: uniqueness of the keys is uniqueness under NFKC case folding, without the
    /// normalization tables Foundation would bring. JumpCloud usernames are ASCII in practice.
    static func isFoldedUsername(_ s: String) -> Bool {
        guard s.utf8.contains(where: { $0 >= 0x80 }) else { return true }
        for scalar in s.unicodeScalars where scalar.value >= 0x80 {
            let p = scalar.properties
            if p.changesWhenNFKCCaseFolded { return false }
            switch p.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return false
            default: break
            }
            if p.canonicalCombiningClass.rawValue != 0 { return false }
            let v = scalar.value
            if (0x1100...0x11ff).contains(v) || (0xa960...0xa97f).contains(v) || (0xd7b0...0xd7ff).contains(v) { return false }
        }
        return true
    }

    static func describe(_ e: JSONError) -> String {
        switch e {
        case .tooLarge: return "larger than \(maxBytes) bytes"
        case .tooDeep: return "nested too deeply"
        case .duplicateKey: return "a key appears twice in one object"
        case .invalid(let offset): return "syntax error at byte \(offset)"
        }
    }

    // MARK: writing

    /// The normalized file: one user per line, only the fields jcfed uses, keys in a fixed order,
    /// so two syncs of the same data give the same bytes.
    public static func serialize(_ d: Directory) -> [UInt8] {
        var w = JSONText()
        w.raw("{\"totalCount\":\(d.users.count),\n\"jcfed\":{\"version\":\(formatVersion),\"source\":")
        w.string(d.metadata.source)
        w.raw(",\"synced_at\":")
        w.optionalInt(d.metadata.syncedAt)
        w.raw(",\"bound_user_ids\":")
        if let bound = d.boundUserIDs {
            w.raw("[")
            for (i, id) in bound.sorted().enumerated() {
                if i > 0 { w.raw(",") }
                w.string(id)
            }
            w.raw("]")
        } else {
            w.raw("null")
        }
        w.raw(",\"bindings_synced_at\":")
        w.optionalInt(d.metadata.bindingsSyncedAt)
        w.raw("},\n\"results\":[")
        for (i, u) in d.users.enumerated() {
            w.raw(i == 0 ? "\n" : ",\n")
            w.raw("{\"_id\":"); w.string(u.id)
            w.raw(",\"username\":"); w.string(u.username)
            w.raw(",\"email\":"); w.string(u.email)
            w.raw(",\"activated\":\(u.activated),\"suspended\":\(u.suspended),\"account_locked\":\(u.accountLocked)")
            w.raw(",\"state\":")
            if let state = u.state { w.string(state) } else { w.raw("null") }
            w.raw(",\"unix_uid\":"); w.optionalInt(u.unixUID.map { Int64($0) })
            w.raw(",\"jcfed_groups\":[")
            for (j, g) in u.groups.enumerated() {
                if j > 0 { w.raw(",") }
                w.string(g)
            }
            w.raw("]}")
        }
        w.raw("\n]}\n")
        return w.bytes
    }
}

/// A minimal JSON writer for the files we produce (the core has a parser but no encoder).
struct JSONText {
    var bytes: [UInt8] = []

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func optionalInt(_ n: Int64?) {
        if let n = n { raw(String(n)) } else { raw("null") }
    }

    /// A JSON string: quote, backslash and control characters escaped; the rest as UTF-8.
    mutating func string(_ s: String) {
        bytes.append(0x22)
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(0x5c); bytes.append(0x22)
            case 0x5c: bytes.append(0x5c); bytes.append(0x5c)
            case 0x0a: bytes.append(0x5c); bytes.append(UInt8(ascii: "n"))
            case 0x0d: bytes.append(0x5c); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5c); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7f:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0x0f)])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }
}
