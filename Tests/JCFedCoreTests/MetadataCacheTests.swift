#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore
@testable import JCFedSystem

/// The discovery/JWKS cache: directory safety, atomic files, lifetime, damaged files, the
/// unknown-kid refresh limit, and ProviderClient's use of it (a hit makes no request).
@Suite(.serialized) struct MetadataCacheTests {
    static let me = UInt32(getuid())
    static let url = "https://login.example.test/t/discovery/v2.0/keys"

    static func withDir(_ body: (String) throws -> Void) rethrows {
        let base = FlowFixtures.tempDir()
        defer { FlowFixtures.removeTree(base) }
        try body(base)
    }

    static func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o7777
    }

    static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o600) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        _ = SecureFolder.writeAll(fd, Array(text.utf8))
        fchmod(fd, mode)
        close(fd)
    }

    static func readFile(_ path: String) -> String? {
        guard case .success(let b) = SecureFolder.read(path, owner: me).map(\.bytes) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    static func files(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    // MARK: the directory

    @Test func createsTheDirectoryOwnerOnly() throws {
        try Self.withDir { base in
            let dir = base + "/cache"
            _ = try MetadataCache.open(directory: dir, storage: SystemStorage(owner: Self.me)).get()
            #expect(Self.mode(dir) == 0o700)
        }
    }

    @Test func refusesUnsafeDirectories() {
        Self.withDir { base in
            let writable = base + "/writable"
            mkdir(writable, 0o700)
            chmod(writable, 0o777)
            guard case .failure = MetadataCache.open(directory: writable, storage: SystemStorage(owner: Self.me)) else { Issue.record("group-writable accepted"); return }

            let real = base + "/real"
            mkdir(real, 0o700)
            symlink(real, base + "/link")
            guard case .failure = MetadataCache.open(directory: base + "/link", storage: SystemStorage(owner: Self.me)) else { Issue.record("symlink followed"); return }

            guard case .failure = MetadataCache.open(directory: real, storage: SystemStorage(owner: Self.me &+ 1)) else { Issue.record("wrong owner accepted"); return }

            Self.writeFile(base + "/file", "x")
            guard case .failure = MetadataCache.open(directory: base + "/file", storage: SystemStorage(owner: Self.me)) else { Issue.record("file accepted"); return }
            guard case .failure = MetadataCache.open(directory: "relative", storage: SystemStorage(owner: Self.me)) else { Issue.record("relative accepted"); return }
        }
    }

    // MARK: files

    @Test func roundTripsAndLeavesNoTemporaryFiles() throws {
        try Self.withDir { base in
            let cache = try MetadataCache.open(directory: base, storage: SystemStorage(owner: Self.me)).get()
            #expect(cache.read(url: Self.url, now: 1000) == nil)
            #expect(cache.write(url: Self.url, body: Array("{\"keys\":[]}".utf8), now: 1000))
            #expect(cache.read(url: Self.url, now: 1001) == Array("{\"keys\":[]}".utf8))
            let name = MetadataCache.fileName(for: Self.url)
            #expect(Self.files(base) == [name])
            #expect(Self.mode(base + "/" + name) == 0o600)
        }
    }

    @Test func entriesLiveTwentyFourHoursPlusTheDeviceSpread() throws {
        try Self.withDir { base in
            let cache = try MetadataCache.open(directory: base, storage: SystemStorage(owner: Self.me), deviceIdentity: "machine-a").get()
            let life = 86_400 + MetadataCache.spreadSeconds(for: "machine-a")
            #expect(cache.softLifetimeSeconds == life)
            cache.write(url: Self.url, body: [0x7B, 0x7D], now: 1_000_000)
            #expect(cache.read(url: Self.url, now: 1_000_000 + life - 1) != nil)
            #expect(cache.read(url: Self.url, now: 1_000_000 + life) == nil)
            // A file from the future (clock set back) is not trusted to be fresh.
            #expect(cache.read(url: Self.url, now: 1_000_000 - 3_600) == nil)
        }
    }

    @Test func damagedOrForeignFilesAreIgnored() throws {
        try Self.withDir { base in
            let cache = try MetadataCache.open(directory: base, storage: SystemStorage(owner: Self.me)).get()
            let path = base + "/" + MetadataCache.fileName(for: Self.url)
            for text in ["", "garbage", "jcfed-cache 1\nnot-a-number\n\(Self.url)\n{}", "jcfed-cache 2\n1000\n\(Self.url)\n{}",
                         "jcfed-cache 1\n1000\nhttps://other.test/keys\n{}", "jcfed-cache 1\n1000"] {
                Self.writeFile(path, text)
                #expect(cache.read(url: Self.url, now: 1001) == nil, "\(text)")
            }
            // Group-writable: SecureFolder refuses it.
            Self.writeFile(path, "jcfed-cache 1\n1000\n\(Self.url)\n{}", mode: 0o666)
            chmod(path, 0o666)
            #expect(cache.read(url: Self.url, now: 1001) == nil)
        }
    }

    @Test func symlinksAreNeitherReadNorWrittenThrough() throws {
        try Self.withDir { base in
            let cache = try MetadataCache.open(directory: base + "/c", storage: SystemStorage(owner: Self.me)).get()
            let victim = base + "/victim"
            Self.writeFile(victim, "jcfed-cache 1\n1000\n\(Self.url)\n{\"keys\":[]}")
            let path = base + "/c/" + MetadataCache.fileName(for: Self.url)
            symlink(victim, path)
            #expect(cache.read(url: Self.url, now: 1001) == nil)
            // A planted link at the temporary name is not followed either.
            symlink(victim, base + "/c/." + MetadataCache.fileName(for: Self.url) + ".tmp." + String(getpid()))
            #expect(cache.write(url: Self.url, body: Array("new".utf8), now: 2000))
            #expect(Self.readFile(victim) == "jcfed-cache 1\n1000\n\(Self.url)\n{\"keys\":[]}")
            #expect(cache.read(url: Self.url, now: 2001) == Array("new".utf8))
        }
    }

    @Test func replacementIsAtomicForAReaderHoldingTheOldFile() throws {
        try Self.withDir { base in
            let cache = try MetadataCache.open(directory: base, storage: SystemStorage(owner: Self.me)).get()
            let old = [UInt8](repeating: 0x41, count: 100_000)
            cache.write(url: Self.url, body: old, now: 1000)
            let path = base + "/" + MetadataCache.fileName(for: Self.url)
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            cache.write(url: Self.url, body: [UInt8](repeating: 0x42, count: 50_000), now: 1001)
            // The open descriptor still sees the whole old file; a new read sees the whole new one.
            var buf = [UInt8](repeating: 0, count: 200_000)
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            let header = Array("jcfed-cache 1\n1000\n\(Self.url)\n".utf8)
            #expect(n == header.count + old.count)
            #expect(cache.read(url: Self.url, now: 1002) == [UInt8](repeating: 0x42, count: 50_000))
        }
    }

    @Test func fileNamesAreSafeAndDistinct() {
        let a = MetadataCache.fileName(for: "https://login.example.test/a_b/keys")
        let b = MetadataCache.fileName(for: "https://login.example.test/a/b/keys")
        #expect(a != b)
        for name in [a, b, MetadataCache.fileName(for: "https://x.test/../../etc/passwd\u{0}")] {
            #expect(!name.contains("/"))
            #expect(!name.hasPrefix("."))
            #expect(name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
        }
    }

    /// A fleet's caches must not all expire 24 h after the same morning peak.
    /// The spread is 0-4 h, fixed per device identity, and even over many devices.
    @Test func lifetimeSpreadIsFixedPerDeviceAndEvenOverAFleet() {
        #expect(MetadataCache.spreadSeconds(for: "machine-a") == MetadataCache.spreadSeconds(for: "machine-a"))
        var buckets = [Int](repeating: 0, count: 4)
        for i in 0..<4_000 {
            let s = MetadataCache.spreadSeconds(for: "0f3c9a7e\(i)b5d14c2a8e6f0b1d3c5a7e9")
            #expect(s >= 0 && s <= MetadataCache.maxSpreadSeconds)
            buckets[Int(min(s / 3_600, 3))] += 1
        }
        // 1,000 expected per hour; a generous bound for a hash.
        #expect(buckets.allSatisfy { $0 > 800 && $0 < 1_200 }, "\(buckets)")
    }

    // MARK: the unknown-kid refresh limit

    @Test func forcedRefreshAtMostOncePerMinute() throws {
        try Self.withDir { base in
            let cache = try MetadataCache.open(directory: base, storage: SystemStorage(owner: Self.me)).get()
            #expect(cache.claimForcedRefresh(url: Self.url, now: 10_000))
            #expect(!cache.claimForcedRefresh(url: Self.url, now: 10_000))
            #expect(!cache.claimForcedRefresh(url: Self.url, now: 10_059))
            // Another process (another cache object on the same directory) sees the same record.
            let other = try MetadataCache.open(directory: base, storage: SystemStorage(owner: Self.me)).get()
            #expect(!other.claimForcedRefresh(url: Self.url, now: 10_030))
            #expect(other.claimForcedRefresh(url: Self.url, now: 10_060))
            #expect(!cache.claimForcedRefresh(url: Self.url, now: 10_061))
            // Other URLs have their own record.
            #expect(cache.claimForcedRefresh(url: Self.url + "2", now: 10_061))
            // A record far in the future (clock set back) does not lock refreshes out.
            #expect(cache.claimForcedRefresh(url: Self.url, now: 5_000))
        }
    }

    // MARK: ProviderClient over the cache

    struct Rig {
        let clock = FixedClock()
        let transport: FakeTransport
        let log = MemoryLogSink()
        var settings: IdPSettings
        var maxStale = MetadataCache.defaultMaxStaleSeconds

        init(cacheDir: String) {
            transport = FakeTransport(clock: clock)
            settings = FlowFixtures.azureSettings(cacheDir: cacheDir)
            transport.on("/openid-configuration", .success(FlowFixtures.response(200, FlowFixtures.discoveryJSON())))
            transport.on("/keys", .success(FlowFixtures.response(200, FlowFixtures.jwksJSON())))
        }

        func client() -> ProviderClient {
            let cache = try? MetadataCache.open(directory: settings.cacheDir, storage: SystemStorage(owner: MetadataCacheTests.me),
                                                maxStaleSeconds: maxStale).get()
            return ProviderClient(settings: settings, transport: transport, cache: cache, clock: clock,
                                  budget: RequestBudget(clock: clock, deadline: clock.monotonicMillis() + 60_000, httpTimeout: 10),
                                  log: log)
        }
    }

    @Test func aCacheHitMakesNoRequest() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            let first = rig.client()
            let m = try first.metadata().get()
            _ = try first.keys(m).get()
            #expect(rig.transport.sent.count == 2)
            #expect(rig.transport.sent.allSatisfy { $0.request.method == .get && $0.timeout == 10 })

            rig.clock.advance(millis: 3_600_000)
            let second = rig.client()
            let m2 = try second.metadata().get()
            #expect(m2 == m)
            #expect(try second.keys(m2).get().count == 1)
            #expect(rig.transport.sent.count == 2, "a cache hit made a request")
        }
    }

    @Test func expiredEntriesAreFetchedAgain() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            _ = try rig.client().metadata().get()
            rig.clock.advance(millis: (86_400 + MetadataCache.maxSpreadSeconds) * 1000)
            _ = try rig.client().metadata().get()
            #expect(rig.transport.requests(to: "/openid-configuration").count == 2)
        }
    }

    @Test func corruptCacheFilesAreFetchedAgainAndRepaired() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            let m = try rig.client().metadata().get()
            _ = try rig.client().keys(m).get()
            let now = rig.clock.wallSeconds()
            for url in [Discovery.documentURL(for: rig.settings), m.jwksURI] {
                Self.writeFile(base + "/cache/" + MetadataCache.fileName(for: url), "jcfed-cache 1\n\(now)\n\(url)\n{not json")
            }
            let c = rig.client()
            _ = try c.keys(try c.metadata().get()).get()
            #expect(rig.transport.sent.count == 4)
            // Repaired: the next login hits the cache again.
            let d = rig.client()
            _ = try d.keys(try d.metadata().get()).get()
            #expect(rig.transport.sent.count == 4)
        }
    }

    @Test func invalidDocumentsAreNeverCached() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            rig.transport.on("/openid-configuration", .success(FlowFixtures.response(200, FlowFixtures.discoveryJSON(issuer: "https://evil.test/x/v2.0"))))
            guard case .failure(.issuerMismatch) = rig.client().metadata() else { Issue.record("accepted"); return }
            #expect(Self.files(base + "/cache").isEmpty)
        }
    }

    @Test func unusableCacheDirectoryStillWorksOverTheNetwork() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/missing-parent/cache")
            _ = try rig.client().metadata().get()
            _ = try rig.client().metadata().get()
            #expect(rig.transport.requests(to: "/openid-configuration").count == 2)
        }
    }

    @Test func unknownKidRefreshIsRateLimitedAcrossLogins() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            let warm = rig.client()
            _ = try warm.keys(try warm.metadata().get()).get()
            #expect(rig.transport.requests(to: "/keys").count == 1)
            // Keys fetched in this very login: a refresh cannot help.
            #expect(warm.refreshKeysForUnknownKid(try warm.metadata().get()) == nil)

            rig.clock.advance(millis: 5_000)
            rig.transport.on("/keys", .success(FlowFixtures.response(200, FlowFixtures.jwksJSON(kids: ["key-1", "key-2"]))))
            let a = rig.client()
            let ma = try a.metadata().get()
            _ = try a.keys(ma).get()
            let refreshed = try #require(a.refreshKeysForUnknownKid(ma))
            #expect(try refreshed.get().compactMap(\.kid) == ["key-1", "key-2"])
            #expect(rig.transport.requests(to: "/keys").count == 2)

            // A second login 30 s later with another unknown kid: no request.
            rig.clock.advance(millis: 30_000)
            let b = rig.client()
            let mb = try b.metadata().get()
            #expect(try b.keys(mb).get().count == 2, "the refreshed set was cached")
            #expect(b.refreshKeysForUnknownKid(mb) == nil)
            #expect(rig.transport.requests(to: "/keys").count == 2)

            // A minute after the last refresh it is allowed again.
            rig.clock.advance(millis: 31_000)
            let c = rig.client()
            let mc = try c.metadata().get()
            _ = try c.keys(mc).get()
            #expect(c.refreshKeysForUnknownKid(mc) != nil)
            #expect(rig.transport.requests(to: "/keys").count == 3)
        }
    }

    /// An expired cache plus an IdP hiccup used to fail the login although
    /// yesterday's discovery and keys would still verify. A failed refresh (unavailable, not a
    /// configuration error) now uses the copy up to idp.cache_max_stale, with a warning.
    @Test func aFailedRefreshServesTheStaleCopyUpToTheHardLimit() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            let warm = rig.client()
            _ = try warm.keys(try warm.metadata().get()).get()
            rig.clock.advance(millis: 3 * 86_400_000)
            rig.transport.on("/openid-configuration", .success(FlowFixtures.response(503, "")))
            rig.transport.on("/keys", .failure(.timeout))
            let c = rig.client()
            let m = try c.metadata().get()
            #expect(try c.keys(m).get().count == 1)
            // Both were tried (the copies are past their lifetime), then the stale copies used.
            #expect(rig.transport.requests(to: "/openid-configuration").count == 2)
            #expect(rig.transport.requests(to: "/keys").count == 2)
            let warnings = rig.log.lines.filter { $0.0 == .warning }.map(\.1)
            #expect(warnings.count == 2)
            #expect(warnings.allSatisfy { $0.contains("could not be refreshed") && $0.contains("72 h ago") })

            // Past the hard limit: the failure stands.
            rig.clock.advance(millis: 4 * 86_400_000)
            #expect(rig.client().metadata() == .failure(.serverError(503)))

            // A configuration error (wrong URL, unknown tenant) is never hidden by a stale copy.
            rig.clock.advance(millis: -5 * 86_400_000)
            rig.transport.on("/openid-configuration", .success(FlowFixtures.response(400, FlowFixtures.errorJSON("invalid_tenant", codes: [90002]))))
            #expect(rig.client().metadata() == .failure(.httpStatus(400)))
        }
    }

    @Test func cacheMaxStaleZeroNeverServesPastTheLifetime() throws {
        try Self.withDir { base in
            var rig = Rig(cacheDir: base + "/cache")
            rig.maxStale = 0
            _ = try rig.client().metadata().get()
            rig.clock.advance(millis: (86_400 + MetadataCache.maxSpreadSeconds) * 1000)
            rig.transport.on("/openid-configuration", .success(FlowFixtures.response(503, "")))
            #expect(rig.client().metadata() == .failure(.serverError(503)))
        }
    }

    /// The once-a-minute stamp was written before the fetch, so a failed fetch
    /// blocked the next login's retry for a minute. Only a successful fetch holds it off now.
    @Test func aFailedForcedRefreshDoesNotBlockTheNextLogin() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            let warm = rig.client()
            _ = try warm.keys(try warm.metadata().get()).get()
            rig.clock.advance(millis: 5_000)
            rig.transport.on("/keys", .success(FlowFixtures.response(503, "")))
            let a = rig.client()
            let ma = try a.metadata().get()
            _ = try a.keys(ma).get()
            #expect(a.refreshKeysForUnknownKid(ma) == .failure(.serverError(503)))
            #expect(rig.transport.requests(to: "/keys").count == 2)

            rig.clock.advance(millis: 2_000)
            rig.transport.on("/keys", .success(FlowFixtures.response(200, FlowFixtures.jwksJSON(kids: ["key-1", "key-2"]))))
            let b = rig.client()
            let mb = try b.metadata().get()
            _ = try b.keys(mb).get()
            let refreshed = try #require(b.refreshKeysForUnknownKid(mb), "the failed fetch blocked the retry")
            #expect(try refreshed.get().count == 2)
            #expect(rig.transport.requests(to: "/keys").count == 3)
            // The successful one does hold off the next for a minute.
            let c = rig.client()
            let mc = try c.metadata().get()
            _ = try c.keys(mc).get()
            #expect(c.refreshKeysForUnknownKid(mc) == nil)
            #expect(rig.transport.requests(to: "/keys").count == 3)
        }
    }

    /// A login refused a refresh (another one refreshed less than a minute ago)
    /// re-reads the cache, where that other login left the new keys.
    @Test func aRefusedRefreshRereadsTheCache() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            let warm = rig.client()
            _ = try warm.keys(try warm.metadata().get()).get()
            rig.clock.advance(millis: 5_000)
            // Login A read the old keys; then login B refreshes them (rotation).
            let a = rig.client()
            let ma = try a.metadata().get()
            #expect(try a.keys(ma).get().count == 1)
            rig.transport.on("/keys", .success(FlowFixtures.response(200, FlowFixtures.jwksJSON(kids: ["key-1", "key-2"]))))
            let b = rig.client()
            let mb = try b.metadata().get()
            _ = try b.keys(mb).get()
            #expect(try #require(b.refreshKeysForUnknownKid(mb)).get().count == 2)
            #expect(rig.transport.requests(to: "/keys").count == 2)
            // A is refused a fetch of its own, but gets B's keys from the cache without a request.
            let reread = try #require(a.refreshKeysForUnknownKid(ma), "the refused login did not re-read the cache")
            #expect(try reread.get().compactMap(\.kid) == ["key-1", "key-2"])
            #expect(rig.transport.requests(to: "/keys").count == 2)
            // Asked again with nothing newer in the cache: no keys, no request.
            #expect(a.refreshKeysForUnknownKid(ma) == nil)
        }
    }

    @Test func fetchFailuresAreClassified() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            rig.transport.on("/openid-configuration", .failure(.dns))
            #expect(rig.client().metadata() == .failure(.unreachable(.dns)))
            rig.transport.on("/openid-configuration", .success(FlowFixtures.response(503, "")))
            #expect(rig.client().metadata() == .failure(.serverError(503)))
            rig.transport.on("/openid-configuration", .success(FlowFixtures.response(400, FlowFixtures.errorJSON("invalid_tenant", codes: [90002]))))
            #expect(rig.client().metadata() == .failure(.httpStatus(400)))
            rig.transport.on("/openid-configuration", .success(FlowFixtures.response(200, FlowFixtures.discoveryJSON())))
            rig.transport.on("/keys", .success(FlowFixtures.response(200, #"{"keys":[]}"#)))
            let c = rig.client()
            guard case .failure(.keys) = c.keys(try c.metadata().get()) else { Issue.record("empty key set accepted"); return }
        }
    }

    @Test func requestsStopAtTheDeadline() throws {
        try Self.withDir { base in
            let rig = Rig(cacheDir: base + "/cache")
            let c = ProviderClient(settings: rig.settings, transport: rig.transport, cache: nil, clock: rig.clock,
                                   budget: RequestBudget(clock: rig.clock, deadline: rig.clock.monotonicMillis() + 2_500, httpTimeout: 10),
                                   log: rig.log)
            _ = try c.metadata().get()
            #expect(rig.transport.sent.last?.timeout == 3)
            rig.clock.advance(millis: 2_500)
            #expect(c.metadata() == .failure(.noTimeLeft))
            #expect(rig.transport.sent.count == 1)
        }
    }
}
