#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore

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

    @Test func missingStateIsDerived() throws {
        let text = #"{"results":[{"_id":"a1","username":"a","activated":true,"suspended":true,"account_locked":false},"#
            + #"{"_id":"a2","username":"b","activated":false,"suspended":false,"account_locked":false}],"totalCount":2}"#
        let d = try DirectoryFile.parse(Array(text.utf8)).get()
        #expect(d.user(named: "a")?.state == "SUSPENDED")
        #expect(d.user(named: "b")?.state == "STAGED")
    }

    // MARK: loading

    func settings(_ dir: IdentityTempDir, maxAge: Int = 0, policy: StaleDirectoryPolicy = .warn) -> MappingSettings {
        var s = MappingSettings()
        s.directory = dir.path + "/directory.json"
        s.directoryMaxAge = maxAge
        s.staleDirectory = policy
        return s
    }

    @Test func missingFileMeansNoDirectory() throws {
        let dir = IdentityTempDir()
        #expect(try DirectoryLoader.load(settings: settings(dir), now: 0, owner: getuid()).get() == nil)
    }

    @Test func loadsASafeFile() throws {
        let dir = IdentityTempDir()
        var d = IdentityFixtures.directory
        d.metadata.syncedAt = 1_000
        _ = dir.write("directory.json", String(decoding: DirectoryFile.serialize(d), as: UTF8.self))
        let loaded = try #require(try DirectoryLoader.load(settings: settings(dir, maxAge: 500), now: 1_400, owner: getuid()).get())
        #expect(loaded.users == d.users)
        #expect(loaded.ageSeconds == 400)
        #expect(!loaded.isStale)
        let stale = try #require(try DirectoryLoader.load(settings: settings(dir, maxAge: 500), now: 1_501, owner: getuid()).get())
        #expect(stale.isStale)
        // 0 = never stale.
        let never = try #require(try DirectoryLoader.load(settings: settings(dir, maxAge: 0), now: 1_000_000, owner: getuid()).get())
        #expect(!never.isStale)
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
        let dir = IdentityTempDir()
        let p = dir.write("directory.json", String(decoding: DirectoryFile.serialize(IdentityFixtures.directory), as: UTF8.self), mode: 0o666)
        guard case .failure(let e) = DirectoryLoader.load(settings: settings(dir), now: 0, owner: getuid()) else {
            Issue.record("world-writable directory accepted"); return
        }
        #expect(e.problem.contains("writable"))
        chmod(p, 0o600)
        guard case .failure(let owner) = DirectoryLoader.load(settings: settings(dir), now: 0, owner: getuid() &+ 1) else {
            Issue.record("foreign-owned directory accepted"); return
        }
        #expect(owner.problem.contains("owned"))
        unlink(p)
        symlink("/etc/passwd", p)
        guard case .failure(let link) = DirectoryLoader.load(settings: settings(dir), now: 0, owner: getuid()) else {
            Issue.record("symlinked directory accepted"); return
        }
        #expect(link.problem.contains("symbolic link"))
    }

    @Test func malformedFileIsAnError() {
        let dir = IdentityTempDir()
        _ = dir.write("directory.json", #"{"results":[{"_id":"x"}],"totalCount":1}"#)
        guard case .failure(let e) = DirectoryLoader.load(settings: settings(dir), now: 0, owner: getuid()) else {
            Issue.record("malformed directory accepted"); return
        }
        #expect(e.key == "mapping.directory")
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let dir = IdentityTempDir()
        let p = dir.path + "/sub/dir/directory.json"
        try AtomicReplace.write(p, Array("one".utf8)).get()
        try AtomicReplace.write(p, Array("two".utf8), mode: 0o640).get()
        var st = stat()
        #expect(stat(p, &st) == 0)
        #expect(UInt32(st.st_mode) & 0o777 == 0o640)
        let text = try SafeFile.readText(p, rules: .init(owner: getuid())).get()
        #expect(text == "two")
        let entries = listDirectory(dir.path + "/sub/dir")
        #expect(entries == ["directory.json"])
    }

    @Test func atomicWriteFailureKeepsTheOldFile() throws {
        let dir = IdentityTempDir()
        let p = dir.path + "/directory.json"
        try AtomicReplace.write(p, Array("old".utf8)).get()
        // A directory where the temporary file would go cannot be created: make the target a
        // path whose parent is a file.
        let bad = p + "/child"
        if case .success = AtomicReplace.write(bad, Array("new".utf8)) { Issue.record("write under a file succeeded") }
        #expect(try SafeFile.readText(p, rules: .init(owner: getuid())).get() == "old")
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
