#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore
@testable import JCFedSystem

@Suite struct DirectoryTests {
    static let apiDump = #"""
    {"totalCount":2,"results":[
     {"_id":"5f1b00000000000000000001","id":"5f1b00000000000000000001","username":"alice","email":"alice@contoso.com",
      "activated":true,"suspended":false,"account_locked":false,"state":"ACTIVATED","unix_uid":5001,
      "firstname":"Alice","phoneNumbers":[{"number":"555"}],"addresses":[],"attributes":[]},
     {"_id":"5f1b00000000000000000002","username":"bob","email":"bob@contoso.com",
      "activated":false,"suspended":false,"account_locked":false,"state":"STAGED","unix_uid":null}
    ]}
    """#

    @Test func parsesARawAPIExportAndIgnoresOtherFields() throws {
        let d = try DirectoryFile.parse(Array(Self.apiDump.utf8)).get()
        #expect(d.users.count == 2)
        #expect(d.user(named: "alice")?.unixUID == 5001)
        #expect(d.user(named: "alice")?.groups == [])
        #expect(d.user(named: "bob")?.state == "STAGED")
        #expect(d.boundUserIDs == nil)
        #expect(d.metadata.syncedAt == nil)
    }

    @Test func roundTripsThroughTheNormalizedFormat() throws {
        var d = IdentityFixtures.directory
        d.boundUserIDs = [d.users[0].id]
        d.metadata = DirectoryMetadata(source: "api", syncedAt: 1_700_000_000, bindingsSyncedAt: 1_700_000_100)
        d = Directory(users: d.users + [IdentityFixtures.user("quote", "q\"\\\u{1}@x.com")], boundUserIDs: d.boundUserIDs,
                      metadata: d.metadata)
        let bytes = DirectoryFile.serialize(d)
        let back = try DirectoryFile.parse(bytes).get()
        #expect(back == d)
        // Same data, same bytes.
        #expect(DirectoryFile.serialize(back) == bytes)
    }

    @Test func userLookupIsByExactUsername() {
        let d = IdentityFixtures.directory
        #expect(d.user(named: "alice")?.email == "alice@contoso.com")
        #expect(d.user(named: "Alice") == nil)
        #expect(d.user(named: "alic") == nil)
    }

    @Test(arguments: [
        (#"[]"#, "not a JSON object"),
        (#"{"totalCount":0}"#, "results"),
        (#"{"results":[]}"#, "totalCount"),
        (#"{"results":[],"totalCount":3}"#, "truncated"),
        (#"{"results":[{"username":"a","activated":true,"suspended":false,"account_locked":false}],"totalCount":1}"#, "_id"),
        (#"{"results":[{"_id":"../x","username":"a","activated":true,"suspended":false,"account_locked":false}],"totalCount":1}"#, "JumpCloud id"),
        (#"{"results":[{"_id":"a1","username":"a b","activated":true,"suspended":false,"account_locked":false}],"totalCount":1}"#, "username"),
        (#"{"results":[{"_id":"a1","username":"a","activated":"yes","suspended":false,"account_locked":false}],"totalCount":1}"#, "activated"),
        (#"{"results":[{"_id":"a1","username":"a","activated":true,"account_locked":false}],"totalCount":1}"#, "suspended"),
        (#"{"results":[{"_id":"a1","username":"a","activated":true,"suspended":false,"account_locked":false,"jcfed_groups":"x"}],"totalCount":1}"#, "jcfed_groups"),
        (#"{"results":[{"_id":"a1","username":"a","activated":true,"suspended":false,"account_locked":false,"unix_uid":1.5}],"totalCount":1}"#, "unix_uid"),
        (#"{"results":[{"_id":"a1","username":"a","activated":true,"suspended":false,"account_locked":false},{"_id":"a1","username":"b","activated":true,"suspended":false,"account_locked":false}],"totalCount":2}"#, "appears twice"),
        (#"{"results":[{"_id":"a1","username":"a","activated":true,"suspended":false,"account_locked":false},{"_id":"a2","username":"a","activated":true,"suspended":false,"account_locked":false}],"totalCount":2}"#, "appears twice"),
        (#"{"results":[],"totalCount":0,"jcfed":{"bound_user_ids":"x"}}"#, "bound_user_ids"),
        (#"{"results":[],"totalCount":0,"jcfed":{"version":2}}"#, "version"),
        (#"{"results":[],"totalCount":0,"jcfed":{"synced_at":-5}}"#, "synced_at"),
        (#"{"results":[],"totalCount":0,"totalCount":0}"#, "twice"),
        (#"{"results":[], "totalCount":0"#, "JSON"),
    ])
    func rejectsMalformedFiles(text: String, expected: String) {
        switch DirectoryFile.parse(Array(text.utf8)) {
        case .success: Issue.record("accepted: \(text)")
        case .failure(let e): #expect(e.problem.contains(expected), "\(e.problem)")
        }
    }

    @Test func canonicallyEquivalentUsernamesAreDuplicates() {
        let text = #"{"results":[{"_id":"a1","username":"ren\u00e9","activated":true,"suspended":false,"account_locked":false},"#
            + #"{"_id":"a2","username":"rene\u0301","activated":true,"suspended":false,"account_locked":false}],"totalCount":2}"#
        if case .success = DirectoryFile.parse(Array(text.utf8)) { Issue.record("two spellings of one name accepted") }
    }

    @Test func missingStateStaysMissing() throws {
        // Absent is not ACTIVATED (nor derived from `activated`, JumpCloud's password status):
        // AccountCheck then decides by the booleans. It survives a round trip as null.
        let text = #"{"results":[{"_id":"a1","username":"a","activated":true,"suspended":true,"account_locked":false},"#
            + #"{"_id":"a2","username":"b","activated":false,"suspended":false,"account_locked":false,"state":null}],"totalCount":2}"#
        let d = try DirectoryFile.parse(Array(text.utf8)).get()
        #expect(d.user(named: "a")?.state == nil)
        #expect(d.user(named: "b")?.state == nil)
        #expect(d.user(named: "a")?.isSuspended == true)
        #expect(d.user(named: "b")?.isActivated == false)
        let back = try DirectoryFile.parse(DirectoryFile.serialize(d)).get()
        #expect(back.users == d.users)
    }

    // MARK: usernames unique after case folding

    static func file(_ names: [String]) -> [UInt8] {
        let records = names.enumerated().map { i, n in
            #"{"_id":"a\#(i)","username":"\#(n)","activated":true,"suspended":false,"account_locked":false}"#
        }
        return Array(#"{"results":[\#(records.joined(separator: ","))],"totalCount":\#(names.count)}"#.utf8)
    }

    @Test(arguments: [["alice", "Alice"], ["ADMIN", "admin"], ["ren\\u00e9", "REN\\u00e9"], ["bob", "alice", "BOB"]])
    func usernamesDifferingOnlyInCaseAreDuplicates(names: [String]) {
        switch DirectoryFile.parse(Self.file(names)) {
        case .success: Issue.record("accepted \(names)")
        case .failure(let e): #expect(e.problem.contains("appears twice") && e.problem.contains("ignoring case"), "\(e.problem)")
        }
    }

    @Test func lookupStaysByteForByte() throws {
        let d = try DirectoryFile.parse(Self.file(["Alice", "bob"])).get()
        #expect(d.user(named: "Alice")?.username == "Alice")
        #expect(d.user(named: "alice") == nil)
        #expect(d.user(named: "BOB") == nil)
    }

    @Test(arguments: [
        "\\u00c9mile",        // É: upper case outside ASCII
        "\\ufb01ona",         // the fi ligature: a compatibility form of "fi"
        "\\uff41lice",        // full-width a
        "rene\\u0301",        // a combining mark (e + U+0301 is é)
        "k\\u200bim",         // zero-width space
        "\\u1100\\u1161",       // conjoining Hangul jamo (compose to U+AC00)
        "\\u212aim",          // Kelvin sign
    ])
    func nonASCIIUsernamesMustBeStableUnderNFKCCaseFolding(name: String) {
        switch DirectoryFile.parse(Self.file([name])) {
        case .success: Issue.record("accepted \(name)")
        case .failure(let e): #expect(e.problem.contains("NFKC"), "\(e.problem)")
        }
    }

    @Test func foldedNonASCIIUsernamesAreAccepted() throws {
        let d = try DirectoryFile.parse(Self.file(["ren\\u00e9", "\\u0430\\u043d\\u044f", "\\u674e", "\\uac00"])).get()
        #expect(d.user(named: "ren\u{e9}") != nil && d.user(named: "\u{674e}") != nil)
    }

    // MARK: loading

    func settings(_ dir: TemporaryDirectory, maxAge: Int = 0, policy: StaleDirectoryPolicy = .warn) -> MappingSettings {
        var s = MappingSettings()
        s.directory = dir.path + "/directory.json"
        s.directoryMaxAge = maxAge
        s.staleDirectory = policy
        return s
    }

    @Test func missingFileMeansNoDirectory() throws {
        let dir = TemporaryDirectory()
        #expect(try DirectoryLoader.load(settings: settings(dir), now: 0, storage: SystemStorage(owner: getuid())).get() == nil)
    }

    @Test func loadsASafeFile() throws {
        let dir = TemporaryDirectory()
        var d = IdentityFixtures.directory
        d.metadata.syncedAt = 1_000
        _ = dir.write("directory.json", String(decoding: DirectoryFile.serialize(d), as: UTF8.self))
        let loaded = try #require(try DirectoryLoader.load(settings: settings(dir, maxAge: 500), now: 1_400, storage: SystemStorage(owner: getuid())).get())
        #expect(loaded.users == d.users)
        #expect(loaded.ageSeconds == 400)
        #expect(!loaded.isStale)
        let stale = try #require(try DirectoryLoader.load(settings: settings(dir, maxAge: 500), now: 1_501, storage: SystemStorage(owner: getuid())).get())
        #expect(stale.isStale)
        // 0 = never stale.
        let never = try #require(try DirectoryLoader.load(settings: settings(dir, maxAge: 0), now: 1_000_000, storage: SystemStorage(owner: getuid())).get())
        #expect(!never.isStale)
    }

    @Test func timesInTheFutureAreRefused() throws {
        // A future synced_at would pass the staleness check for as long as it likes.
        let dir = TemporaryDirectory()
        let now: Int64 = 1_700_000_000
        for (synced, bindings) in [(now + 301, nil), (now + 86_400 * 365, nil), (now, now + 3_600)] as [(Int64, Int64?)] {
            var d = IdentityFixtures.directory
            d.metadata = DirectoryMetadata(source: "api", syncedAt: synced, bindingsSyncedAt: bindings)
            if bindings != nil { d.boundUserIDs = [d.users[0].id] }
            _ = dir.write("directory.json", String(decoding: DirectoryFile.serialize(d), as: UTF8.self))
            guard case .failure(let e) = DirectoryLoader.load(settings: settings(dir, maxAge: 3_600), now: now, storage: SystemStorage(owner: getuid())) else {
                Issue.record("a directory synced in the future was accepted (\(synced), \(String(describing: bindings)))"); continue
            }
            #expect(e.key == "mapping.directory")
            #expect(e.problem.contains(bindings == nil ? "jcfed.synced_at" : "jcfed.bindings_synced_at") && e.problem.contains("after the current time"),
                    "\(e.problem)")
        }
        // Within the clock difference allowed: fine, and not older than 0 seconds.
        var d = IdentityFixtures.directory
        d.metadata.syncedAt = now + DirectoryLoader.futureToleranceSeconds
        _ = dir.write("directory.json", String(decoding: DirectoryFile.serialize(d), as: UTF8.self))
        let ok = try #require(try DirectoryLoader.load(settings: settings(dir, maxAge: 3_600), now: now, storage: SystemStorage(owner: getuid())).get())
        #expect(ok.ageSeconds == 0 && !ok.isStale)
    }

    @Test func bindingAgeCountsForStaleness() throws {
        var d = IdentityFixtures.directory
        d.boundUserIDs = []
        d.metadata = DirectoryMetadata(source: "api", syncedAt: 1_000, bindingsSyncedAt: 100)
        var s = MappingSettings()
        s.directoryMaxAge = 500
        DirectoryLoader.stamp(&d, settings: s, now: 1_000)
        #expect(d.ageSeconds == 900)
        #expect(d.isStale)
    }

    @Test func unsafeFilesAreErrorsNotFallbacks() throws {
        let dir = TemporaryDirectory()
        let p = dir.write("directory.json", String(decoding: DirectoryFile.serialize(IdentityFixtures.directory), as: UTF8.self), mode: 0o666)
        guard case .failure(let e) = DirectoryLoader.load(settings: settings(dir), now: 0, storage: SystemStorage(owner: getuid())) else {
            Issue.record("world-writable directory accepted"); return
        }
        #expect(e.problem.contains("writable"))
        chmod(p, 0o600)
        guard case .failure(let owner) = DirectoryLoader.load(settings: settings(dir), now: 0, storage: SystemStorage(owner: getuid() &+ 1)) else {
            Issue.record("foreign-owned directory accepted"); return
        }
        #expect(owner.problem.contains("owned"))
        unlink(p)
        symlink("/etc/passwd", p)
        guard case .failure(let link) = DirectoryLoader.load(settings: settings(dir), now: 0, storage: SystemStorage(owner: getuid())) else {
            Issue.record("symlinked directory accepted"); return
        }
        #expect(link.problem.contains("symbolic link"))
    }

    @Test func malformedFileIsAnError() {
        let dir = TemporaryDirectory()
        _ = dir.write("directory.json", #"{"results":[{"_id":"x"}],"totalCount":1}"#)
        guard case .failure(let e) = DirectoryLoader.load(settings: settings(dir), now: 0, storage: SystemStorage(owner: getuid())) else {
            Issue.record("malformed directory accepted"); return
        }
        #expect(e.key == "mapping.directory")
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let dir = TemporaryDirectory()
        let p = dir.path + "/sub/dir/directory.json"
        try SecureFolder.replace(atPath: p, Array("one".utf8), mode: 0o600).get()
        try SecureFolder.replace(atPath: p, Array("two".utf8), mode: 0o640).get()
        var st = stat()
        #expect(stat(p, &st) == 0)
        #expect(UInt32(st.st_mode) & 0o777 == 0o640)
        let text = try SecureFolder.readText(p, owner: getuid()).get()
        #expect(text == "two")
        let entries = listDirectory(dir.path + "/sub/dir")
        #expect(entries == ["directory.json"])
    }

    @Test func atomicWriteFailureKeepsTheOldFile() throws {
        let dir = TemporaryDirectory()
        let p = dir.path + "/directory.json"
        try SecureFolder.replace(atPath: p, Array("old".utf8), mode: 0o600).get()
        // A directory where the temporary file would go cannot be created: make the target a
        // path whose parent is a file.
        let bad = p + "/child"
        if case .success = SecureFolder.replace(atPath: bad, Array("new".utf8), mode: 0o600) { Issue.record("write under a file succeeded") }
        #expect(try SecureFolder.readText(p, owner: getuid()).get() == "old")
    }

    func listDirectory(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let n = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if n != "." && n != ".." { names.append(n) }
        }
        return names.sorted()
    }
}

@Suite struct DirectoryImportTests {
    typealias F = IdentityFixtures

    func exported(_ syncedAt: Int64?) -> Directory {
        var d = Directory(users: [F.user("alice", "alice@contoso.com", groups: ["Engineering", "Linux"]),
                                  F.user("bob", "bob@contoso.com", groups: ["Linux"]),
                                  F.user("carol", "carol@contoso.com")])
        d.metadata = DirectoryMetadata(source: "api", syncedAt: syncedAt)
        return d
    }

    @Test func anImportWithoutATimeIsRefusedNeverStampedNow() {
        guard case .failure(let e) = DirectorySync.importing(exported(nil), existing: nil, now: 5_000) else {
            Issue.record("an export without synced_at was stamped with the time of the import"); return
        }
        #expect(e.problem.contains("--synced-at"))
    }

    @Test func theTimeComesFromTheFileOrFromSyncedAt() throws {
        let (fromFile, _) = try DirectorySync.importing(exported(1_000), existing: nil, now: 5_000).get()
        #expect(fromFile.metadata.syncedAt == 1_000)
        let (given, _) = try DirectorySync.importing(exported(nil), existing: nil, now: 5_000, syncedAt: 2_000).get()
        #expect(given.metadata.syncedAt == 2_000)
        let (same, _) = try DirectorySync.importing(exported(1_000), existing: nil, now: 5_000, syncedAt: 1_000).get()
        #expect(same.metadata.syncedAt == 1_000)
        guard case .failure(let e) = DirectorySync.importing(exported(1_000), existing: nil, now: 5_000, syncedAt: 2_000) else {
            Issue.record("disagreeing times accepted"); return
        }
        #expect(e.problem.contains("--synced-at"))
    }

    @Test func anImportFromTheFutureIsRefused() {
        for (file, given) in [(Int64(9_000), Int64?.none), (nil, 9_000)] {
            guard case .failure(let e) = DirectorySync.importing(exported(file), existing: nil, now: 5_000, syncedAt: given) else {
                Issue.record("a future time accepted"); continue
            }
            #expect(e.problem.contains("after the current time"))
        }
    }

    @Test func theReportCountsMemberships() throws {
        let (_, report) = try DirectorySync.importing(exported(1_000), existing: nil, now: 5_000).get()
        #expect(report.groups == 2 && report.memberships == 3)
        #expect(report.lines.first == "users: 3, groups: 2, memberships: 3")
    }

    // MARK: shrinking

    func users(_ n: Int, from: Int = 0) -> [DirectoryUser] {
        (from..<(from + n)).map { F.user("user\($0)", "user\($0)@contoso.com") }
    }

    @Test func droppingMostUsersIsAShrink() throws {
        let old = Directory(users: users(4))
        let new = Directory(users: [old.users[0]])
        let what = try #require(DirectorySync.shrinkage(from: old, to: new))
        #expect(what.contains("drops 3 of the 4 users") && what.contains("user1"), "\(what)")
    }

    @Test(arguments: [(4, 2, false), (4, 1, true), (100, 90, false), (100, 89, true), (20, 17, true), (20, 18, false),
                      (3, 0, true), (2, 0, false), (1000, 901, false), (1000, 899, true)])
    func theThresholdIsMoreThanTwoUsersAndMoreThanTenPercent(old: Int, kept: Int, shrinks: Bool) {
        let o = Directory(users: users(old))
        let n = Directory(users: Array(o.users.prefix(kept)) + users(5, from: 10_000))
        #expect((DirectorySync.shrinkage(from: o, to: n) != nil) == shrinks)
    }

    @Test func aRenameIsNotADrop() {
        let old = Directory(users: users(4))
        var renamed = old.users
        for i in renamed.indices { renamed[i].username += "x" }
        #expect(DirectorySync.shrinkage(from: old, to: Directory(users: renamed)) == nil)
    }

    @Test func droppingEveryBindingIsAShrink() throws {
        let old = Directory(users: users(4), boundUserIDs: [users(4)[0].id, users(4)[1].id])
        let what = try #require(DirectorySync.shrinkage(from: old, to: Directory(users: users(4), boundUserIDs: [])))
        #expect(what.contains("drops all 2 users bound to this device"))
        #expect(DirectorySync.shrinkage(from: old, to: Directory(users: users(4), boundUserIDs: [users(4)[1].id])) == nil)
        #expect(DirectorySync.shrinkage(from: Directory(users: users(4), boundUserIDs: []),
                                        to: Directory(users: users(4), boundUserIDs: [])) == nil)
    }

    // MARK: --synced-at

    @Test(arguments: [
        ("1700000000", Int64(1_700_000_000)), ("0", 0),
        ("2023-11-14T22:13:20Z", 1_700_000_000), ("2023-11-14t22:13:20z", 1_700_000_000),
        ("2023-11-14T22:13:20.999Z", 1_700_000_000), ("2023-11-14T22:13:20+00:00", 1_700_000_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800), ("1970-01-01T00:00:00Z", 0),
    ])
    func parsesEpochSecondsAndRFC3339UTC(text: String, expected: Int64) {
        #expect(DirectorySync.parseTime(text) == expected)
    }

    @Test(arguments: ["", "-5", "1.5", "now", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13:20+01:00",
                      "2023-11-14 22:13:20Z", "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-11-14T24:00:00Z",
                      "2023-11-14T22:13:20.Z", "99999999999999999999", "2023-11-14T22:13:20Zjunk"])
    func refusesAnythingElse(text: String) {
        #expect(DirectorySync.parseTime(text) == nil, "\(text)")
    }
}
