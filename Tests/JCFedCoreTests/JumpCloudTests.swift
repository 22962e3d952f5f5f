#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore
@testable import JCFedSystem

@Suite struct JumpCloudTests {
    static let base = "https://jc.test"

    static func record(_ i: Int) -> String {
        let id = "5f1b" + format8(i) + "000000000000"
        return #"{"_id":"\#(id)","username":"user\#(i)","email":"user\#(i)@contoso.com","activated":true,"suspended":false,"account_locked":false,"state":"ACTIVATED","unix_uid":\#(5000 + i),"extra":{"a":[1]}}"#
    }

    static func id(_ i: Int) -> String { "5f1b" + format8(i) + "000000000000" }

    static func query(_ url: String, _ key: String) -> Int? {
        guard let q = url.split(separator: "?").last else { return nil }
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=")
            if kv.count == 2, kv[0] == Substring(key) { return Int(kv[1]) }
        }
        return nil
    }

    /// A small org: `total` users, groups "Engineering" (even users) and "Sales" (user 1).
    static func org(total: Int, failures: [String: [Result<HTTPResponse, TransportError>]] = [:]) -> FakeTransport {
        var pending = failures
        return FakeTransport { req in
            let path = String(req.url.dropFirst(base.count).split(separator: "?").first ?? "")
            if var queue = pending[path], let first = queue.first {
                queue.removeFirst()
                pending[path] = queue
                return first
            }
            let skip = query(req.url, "skip") ?? 0
            let limit = query(req.url, "limit") ?? 100
            switch path {
            case "/api/systemusers":
                let page = (skip..<min(total, skip + limit)).map(record).joined(separator: ",")
                return FakeTransport.json(#"{"results":[\#(page)],"totalCount":\#(total)}"#)
            case "/api/v2/usergroups":
                return FakeTransport.json(skip > 0 ? "[]" : #"[{"id":"aaaa00000000000000000001","name":"Engineering","type":"user_group"},{"id":"aaaa00000000000000000002","name":"Sales","type":"user_group"}]"#)
            case "/api/v2/usergroups/aaaa00000000000000000001/members":
                let members = stride(from: 0, to: total, by: 2).map { #"{"to":{"id":"\#(id($0))","type":"user"},"from":{"id":"aaaa00000000000000000001","type":"user_group"}}"# }
                let page = Array(members.dropFirst(skip).prefix(limit)).joined(separator: ",")
                return FakeTransport.json("[\(page)]")
            case "/api/v2/usergroups/aaaa00000000000000000002/members":
                return FakeTransport.json(skip > 0 ? "[]" : #"[{"to":{"id":"\#(id(1))","type":"user"}},{"to":{"id":"bbbb00000000000000000001","type":"system"}}]"#)
            default:
                return FakeTransport.json(#"{"message":"not found"}"#, status: 404)
            }
        }
    }

    func api(_ t: FakeTransport, clock: FixedClock = FixedClock(), log: LogSink = MemoryLogSink(),
             pageSize: Int = 100) -> JumpCloudAPI {
        let http = JumpCloudHTTP(transport: t, clock: clock, log: log, random: { $0 })
        return JumpCloudAPI(http: http, baseURL: Self.base + "/", apiKey: "SECRETKEY", orgID: "org1", pageSize: pageSize)
    }

    @Test func pagesUntilTotalCountWithSortAndKeyHeaders() throws {
        let t = Self.org(total: 250)
        let f = try api(t).fetchDirectoryUsers().get()
        #expect(f.users.count == 250)
        #expect(f.userPages == 3)
        let userURLs = t.sent.map { $0.url }.filter { $0.contains("/api/systemusers") }
        #expect(userURLs == [0, 100, 200].map { "\(Self.base)/api/systemusers?limit=100&skip=\($0)&sort=_id" })
        for r in t.sent {
            #expect(r.headers.contains { $0.0 == "x-api-key" && $0.1 == "SECRETKEY" })
            #expect(r.headers.contains { $0.0 == "x-org-id" && $0.1 == "org1" })
        }
        #expect(f.groups == 2)
        #expect(f.memberships == 126)
        #expect(f.users[0].groups == ["Engineering"])
        #expect(f.users[1].groups == ["Sales"])
        #expect(f.users[3].groups == [])
    }

    @Test func groupMembersArePaged() throws {
        let t = Self.org(total: 250)
        let f = try api(t).fetchDirectoryUsers().get()
        let memberURLs = t.sent.map { $0.url }.filter { $0.contains("aaaa00000000000000000001/members") }
        #expect(memberURLs.count == 2)  // 125 members: a full page and a short one
        #expect(f.users.filter { $0.groups.contains("Engineering") }.count == 125)
    }

    @Test func retriesAfter429HonouringRetryAfter() throws {
        let t = Self.org(total: 5, failures: ["/api/systemusers": [
            FakeTransport.json("{}", status: 429, headers: ["retry-after": "3"]),
            FakeTransport.json("{}", status: 429, headers: ["retry-after": "100000"]),
        ]])
        let clock = FixedClock()
        let f = try api(t, clock: clock).fetchUsers().get()
        #expect(f.0.count == 5)
        // 3 s as asked, then the bound (120 s) instead of 100000 s; each plus its jitter (the
        // top of the window with random(n) = n): half the wait, at most 30 s.
        #expect(clock.sleeps == [4500, 150_000])
    }

    @Test func retryAfterAsAnHTTPDate() {
        let p = RetryPolicy()
        #expect(p.retryAfterMillis("Sun, 06 Nov 1994 08:49:40 GMT", now: 784_111_777) == 3000)
        #expect(p.retryAfterMillis("soon", now: 0) == nil)
        #expect(p.retryAfterMillis(" 2\r\n", now: 0) == 2000)
        #expect(p.retryAfterMillis(nil, now: 0) == nil)
        // The same reader as the identity provider's (RetryAfter): all three date forms, bounded.
        #expect(p.retryAfterMillis("Sunday, 06-Nov-94 08:49:40 GMT", now: 784_111_777) == 3000)
        #expect(p.retryAfterMillis("Sun Nov  6 08:49:40 1994", now: 784_111_777) == 3000)
        #expect(p.retryAfterMillis("Sun, 06 Nov 1994 08:00:00 GMT", now: 784_111_777) == 0)
        #expect(p.retryAfterMillis("Sun, 06 Nov 2094 08:00:00 GMT", now: 784_111_777) == 120_000)
        #expect(p.retryAfterMillis("99999999999999999999999999", now: 0) == 120_000)
    }

    @Test func retries5xxAndTransportErrorsWithExponentialBackoff() throws {
        let t = Self.org(total: 5, failures: ["/api/systemusers": [
            FakeTransport.json("oops", status: 503), .failure(.timeout), .failure(.other("Transferred a partial file")),
        ]])
        let clock = FixedClock()
        let log = MemoryLogSink()
        #expect(try api(t, clock: clock, log: log).fetchUsers().get().0.count == 5)
        // random(n) = n: the top of each jitter window, 500 * 2^n.
        #expect(clock.sleeps == [500, 1000, 2000])
        #expect(log.text.contains("HTTP 503"))
        #expect(!log.text.contains("SECRETKEY"))
    }

    @Test func jitterStaysInTheUpperHalf() {
        let p = RetryPolicy()
        #expect(p.backoffMillis(retry: 0, random: { _ in 0 }) == 250)
        #expect(p.backoffMillis(retry: 3, random: { _ in 0 }) == 2000)
        #expect(p.backoffMillis(retry: 3, random: { $0 }) == 4000)
        #expect(p.backoffMillis(retry: 30, random: { $0 }) == 30_000)
    }

    @Test func givesUpAfterTheLastAttempt() {
        let t = FakeTransport { _ in FakeTransport.json("{}", status: 500) }
        guard case .failure(let e) = api(t).fetchUsers() else { Issue.record("succeeded"); return }
        #expect(t.sent.count == RetryPolicy().maxAttempts)
        #expect(e.message.contains("6 attempts"))
    }

    @Test func unauthorizedIsNotRetried() {
        let t = FakeTransport { _ in FakeTransport.json(#"{"message":"Unauthorized"}"#, status: 401) }
        guard case .failure(let e) = api(t).fetchUsers() else { Issue.record("succeeded"); return }
        #expect(e.code == .unauthorized)
        #expect(t.sent.count == 1)
        #expect(!e.message.contains("SECRETKEY"))
    }

    @Test func tlsFailureIsNotRetried() {
        let t = FakeTransport { _ in .failure(.tls) }
        guard case .failure(let e) = api(t).fetchUsers() else { Issue.record("succeeded"); return }
        #expect(e.code == .unreachable)
        #expect(t.sent.count == 1)
    }

    @Test func malformedAnswersFail() {
        for body in ["{\"results\":[", "[]", #"{"results":[{"_id":"x1"}],"totalCount":1}"#] {
            let t = FakeTransport { _ in FakeTransport.json(body) }
            guard case .failure(let e) = api(t).fetchUsers() else { Issue.record("accepted \(body)"); return }
            #expect(e.code == .malformed)
        }
    }

    @Test func aCollectionThatChangesWhilePagingIsAnError() {
        // totalCount says 3 but pages hold 2 distinct users (a repeat across pages).
        var calls = 0
        let t = FakeTransport { _ in
            calls += 1
            return calls == 1 ? FakeTransport.json(#"{"results":[\#(Self.record(0)),\#(Self.record(1))],"totalCount":3}"#)
                : FakeTransport.json(#"{"results":[\#(Self.record(1))],"totalCount":3}"#)
        }
        guard case .failure(let e) = api(t, pageSize: 2).fetchUsers() else { Issue.record("accepted"); return }
        #expect(e.code == .inconsistent)
    }

    @Test func duplicateUsernamesFromTheAPIAreRefused() {
        let a = #"{"_id":"a1","username":"same","activated":true,"suspended":false,"account_locked":false}"#
        let b = #"{"_id":"a2","username":"same","activated":true,"suspended":false,"account_locked":false}"#
        let t = FakeTransport { _ in FakeTransport.json(#"{"results":[\#(a),\#(b)],"totalCount":2}"#) }
        guard case .failure = api(t).fetchUsers() else { Issue.record("accepted"); return }
    }

    @Test func usernamesDifferingOnlyInCaseFailTheSync() {
        let a = #"{"_id":"a1","username":"admin","activated":true,"suspended":false,"account_locked":false}"#
        let b = #"{"_id":"a2","username":"Admin","activated":true,"suspended":false,"account_locked":false}"#
        let t = FakeTransport { req in
            req.url.contains("/api/systemusers") ? FakeTransport.json(#"{"results":[\#(a),\#(b)],"totalCount":2}"#)
                : FakeTransport.json("[]")
        }
        guard case .failure(let e) = DirectorySync.run(api: api(t), systemContext: nil, existing: nil, now: 5) else {
            Issue.record("admin and Admin accepted"); return
        }
        #expect(e.message.contains("'admin' and 'Admin'"))
    }

    // MARK: fleet

    @Test func retryAfterIsJitteredWithinACappedWindow() {
        let p = RetryPolicy()
        // Never earlier than asked, spread over up to half the wait, the spread capped at 30 s.
        #expect(p.jitteredRetryAfterMillis(10_000, random: { _ in 0 }) == 10_000)
        #expect(p.jitteredRetryAfterMillis(10_000, random: { $0 }) == 15_000)
        #expect(p.jitteredRetryAfterMillis(120_000, random: { $0 }) == 150_000)
        #expect(p.jitteredRetryAfterMillis(0, random: { $0 }) == 500)
        #expect(p.jitteredRetryAfterMillis(10_000, random: { _ in 1_000_000 }) == 15_000)
        // Two devices told the same Retry-After come back at different times.
        let t = Self.org(total: 5, failures: ["/api/systemusers": [FakeTransport.json("{}", status: 429, headers: ["retry-after": "10"])]])
        let clock = FixedClock()
        let http = JumpCloudHTTP(transport: t, clock: clock, log: MemoryLogSink(), random: { n in n / 3 })
        _ = JumpCloudAPI(http: http, baseURL: Self.base, apiKey: "k", orgID: nil).fetchUsers()
        #expect(clock.sleeps == [11_666])
    }

    @Test func aScheduledRunGivesUpAfterTwo429s() {
        let t = FakeTransport { _ in FakeTransport.json("{}", status: 429, headers: ["retry-after": "1"]) }
        var policy = RetryPolicy()
        policy.maxRateLimitedAttempts = RetryPolicy.scheduledRateLimitedAttempts
        let clock = FixedClock()
        let http = JumpCloudHTTP(transport: t, clock: clock, log: MemoryLogSink(), policy: policy, random: { $0 })
        guard case .failure(let e) = JumpCloudAPI(http: http, baseURL: Self.base, apiKey: "k", orgID: nil).fetchUsers() else {
            Issue.record("succeeded"); return
        }
        #expect(t.sent.count == 2)
        #expect(clock.sleeps.count == 1)
        #expect(e.message.contains("HTTP 429") && e.message.contains("next run"))
        // 5xx still get the usual attempts.
        let t5 = FakeTransport { _ in FakeTransport.json("{}", status: 503) }
        let http5 = JumpCloudHTTP(transport: t5, clock: FixedClock(), log: MemoryLogSink(), policy: policy, random: { $0 })
        _ = JumpCloudAPI(http: http5, baseURL: Self.base, apiKey: "k", orgID: nil).fetchUsers()
        #expect(t5.sent.count == RetryPolicy().maxAttempts)
    }

    @Test func aTotalCountThatChangesBetweenPagesStopsTheSync() {
        // Full pages forever and a totalCount that keeps growing: today's loop never ends.
        var calls = 0
        let t = FakeTransport { req in
            calls += 1
            let skip = Self.query(req.url, "skip") ?? 0
            let page = (skip..<(skip + 100)).map(Self.record).joined(separator: ",")
            return FakeTransport.json(#"{"results":[\#(page)],"totalCount":\#(1000 + calls * 1000)}"#)
        }
        guard case .failure(let e) = api(t).fetchUsers() else { Issue.record("accepted"); return }
        #expect(e.code == .inconsistent)
        #expect(t.sent.count == 2)
        #expect(e.message.contains("totalCount changed"))
    }

    @Test func anUnderReportedTotalCountDoesNotTruncateTheDirectory() {
        for claimed in [200, 100, 0] {
            let t = FakeTransport { req in
                let skip = Self.query(req.url, "skip") ?? 0
                let page = (skip..<min(250, skip + 100)).map(Self.record).joined(separator: ",")
                return FakeTransport.json(#"{"results":[\#(page)],"totalCount":\#(claimed)}"#)
            }
            guard case .failure(let e) = api(t).fetchUsers() else { Issue.record("truncated to \(claimed)"); continue }
            #expect(e.code == .inconsistent)
        }
    }

    @Test func groupsArePagedSortedByIDAndXTotalCountIsChecked() throws {
        let t = Self.org(total: 3)
        _ = try api(t).fetchDirectoryUsers().get()
        let groupURLs = t.sent.map { $0.url }.filter { $0.hasSuffix("sort=_id") && $0.contains("/api/v2/usergroups?") }
        #expect(groupURLs == ["\(Self.base)/api/v2/usergroups?limit=100&skip=0&sort=_id"])
        let groups = #"[{"id":"aaaa00000000000000000001","name":"Engineering"},{"id":"aaaa00000000000000000002","name":"Sales"}]"#
        // Announces 5 groups but ends after 2; announces 1 but sends 2; changes between pages.
        for (header, pageSize) in [("5", 100), ("1", 100), ("x", 100)] {
            let bad = FakeTransport { _ in FakeTransport.json(groups, headers: ["x-total-count": header]) }
            guard case .failure(let e) = api(bad, pageSize: pageSize).fetchGroups() else { Issue.record("accepted x-total-count \(header)"); continue }
            #expect(e.code == (header == "x" ? .malformed : .inconsistent))
        }
        var n = 0
        let drifting = FakeTransport { _ in
            n += 1
            return FakeTransport.json(groups, headers: ["x-total-count": "\(10 + n)"])
        }
        guard case .failure(let e) = api(drifting, pageSize: 2).fetchGroups() else { Issue.record("accepted"); return }
        #expect(e.message.contains("x-total-count changed"))
        let good = FakeTransport { _ in FakeTransport.json(groups, headers: ["x-total-count": " 2\r\n"]) }
        #expect(try api(good).fetchGroups().get().count == 2)
    }

    @Test func aRecordOutsideTheLimitsIsSkippedAndNamed() throws {
        let long = String(repeating: "l", count: 300)
        let longUser = #"{"_id":"5f1b0000000000000000long","username":"\#(long)","email":"x@contoso.com","activated":true,"suspended":false,"account_locked":false}"#
        let longGroup = String(repeating: "G", count: 1000)
        let t = FakeTransport { req in
            if req.url.contains("/api/systemusers") {
                return FakeTransport.json(#"{"results":[\#(Self.record(0)),\#(longUser),\#(Self.record(1))],"totalCount":3}"#)
            }
            if req.url.contains("/api/v2/usergroups?") {
                return FakeTransport.json(#"[{"id":"aaaa00000000000000000001","name":"\#(longGroup)"},{"id":"aaaa00000000000000000002","name":"Sales"}]"#)
            }
            return FakeTransport.json(#"[{"to":{"id":"\#(Self.id(1))","type":"user"}}]"#)
        }
        let (d, report) = try DirectorySync.run(api: api(t), systemContext: nil, existing: nil, now: 5).get()
        #expect(d.users.map { $0.username } == ["user0", "user1"])
        #expect(d.users[1].groups == ["Sales"])
        #expect(report.skipped.count == 2)
        #expect(report.skipped[0].hasPrefix("user 5f1b0000000000000000long (" + String(repeating: "l", count: 64) + "...)"))
        #expect(report.skipped[1].hasPrefix("group aaaa00000000000000000001 (GGGG"))
        #expect(report.lines.contains("skipped 2 records outside jcfed's limits:"))
        // The directory written holds only what its parser accepts.
        #expect(DirectoryFile.parse(DirectoryFile.serialize(d)).map { $0.users.count } == .success(2))
        // A record without the shape of a user is still fatal.
        let broken = FakeTransport { _ in FakeTransport.json(#"{"results":[{"_id":"abc","username":"x"}],"totalCount":1}"#) }
        guard case .failure(let e) = api(broken).fetchUsers() else { Issue.record("accepted"); return }
        #expect(e.code == .malformed)
    }

    @Test func systemContextBindingsThroughGroupsAreReadOnceWithXTotalCount() throws {
        let entries = #"[{"id":"\#(Self.id(1))","type":"user","paths":[[{"to":{"id":"g1","type":"user_group"}},{"to":{"id":"\#(Self.id(1))","type":"user"}}],[{"to":{"id":"\#(Self.id(1))","type":"user"}}]]},{"id":"\#(Self.id(2))","type":"user","paths":[[{"to":{"id":"g1","type":"user_group"}},{"to":{"id":"\#(Self.id(2))","type":"user"}}]]}]"#
        let t = FakeTransport { _ in FakeTransport.json(entries, headers: ["x-total-count": "2"]) }
        let http = JumpCloudHTTP(transport: t, clock: FixedClock(), log: MemoryLogSink())
        let sc = SystemContextClient(http: http, baseURL: Self.base, systemKey: "abc", signer: FakeSigner())
        #expect(try sc.fetchBoundUserIDs().get() == [Self.id(1), Self.id(2)])
        let lying = FakeTransport { _ in FakeTransport.json(entries, headers: ["x-total-count": "7"]) }
        let sc2 = SystemContextClient(http: JumpCloudHTTP(transport: lying, clock: FixedClock(), log: MemoryLogSink()),
                                      baseURL: Self.base, systemKey: "abc", signer: FakeSigner())
        guard case .failure(let e) = sc2.fetchBoundUserIDs() else { Issue.record("accepted"); return }
        #expect(e.code == .inconsistent)
    }

    // MARK: System Context

    @Test func systemContextRequestsAreSignedOverTheRequestLineAndDate() throws {
        let key = "5e0000000000000000000042"
        let t = FakeTransport { req in
            FakeTransport.json(#"[{"id":"\#(Self.id(1))","type":"user","compiledAttributes":{},"paths":[]},{"id":"\#(Self.id(2))","type":"user"}]"#)
        }
        let signer = FakeSigner()
        let clock = FixedClock(wall: 784_111_777)
        let http = JumpCloudHTTP(transport: t, clock: clock, log: MemoryLogSink())
        let sc = SystemContextClient(http: http, baseURL: Self.base, systemKey: key, signer: signer)
        let ids = try sc.fetchBoundUserIDs().get()
        #expect(ids == [Self.id(1), Self.id(2)])
        let req = try #require(t.sent.first)
        #expect(req.url == "\(Self.base)/api/v2/systems/\(key)/users?limit=100&skip=0")
        #expect(signer.signed == ["GET /api/v2/systems/\(key)/users?limit=100&skip=0 HTTP/1.1\ndate: Sun, 06 Nov 1994 08:49:37 GMT"])
        #expect(req.headers.contains { $0 == ("Date", "Sun, 06 Nov 1994 08:49:37 GMT") })
        #expect(req.headers.contains { $0 == ("Authorization", "Signature keyId=\"system/\(key)\",headers=\"request-line date\",algorithm=\"rsa-sha256\",signature=\"AQID\"") })
        #expect(!req.headers.contains { $0.0.lowercased() == "x-api-key" })
    }

    @Test func systemContextRejectionExplainsItself() {
        let t = FakeTransport { _ in FakeTransport.json("{}", status: 401) }
        let http = JumpCloudHTTP(transport: t, clock: FixedClock(), log: MemoryLogSink())
        let sc = SystemContextClient(http: http, baseURL: Self.base, systemKey: "abc", signer: FakeSigner())
        guard case .failure(let e) = sc.fetchBoundUserIDs() else { Issue.record("accepted"); return }
        #expect(e.code == .unauthorized && e.message.contains("signature"))
    }

    @Test func signingFailureStopsBeforeSending() {
        let t = FakeTransport { _ in FakeTransport.json("[]") }
        let signer = FakeSigner()
        signer.fail = true
        let http = JumpCloudHTTP(transport: t, clock: FixedClock(), log: MemoryLogSink())
        let sc = SystemContextClient(http: http, baseURL: Self.base, systemKey: "abc", signer: signer)
        guard case .failure(let e) = sc.fetchBoundUserIDs() else { Issue.record("accepted"); return }
        #expect(e.code == .configuration)
    }

    @Test func systemKeyIsReadFromTheAgentConfiguration() throws {
        let dir = TemporaryDirectory()
        #expect(try SystemContextClient.readSystemKey(agentDir: dir.path, storage: SystemStorage(owner: getuid())).get() == nil)
        _ = dir.write("jcagent.conf", #"{"x509ValidateEnabled":true,"systemKey":"5e0000000000000000000042","agentServerHost":"agent.jumpcloud.com"}"#, mode: 0o644)
        #expect(try SystemContextClient.readSystemKey(agentDir: dir.path, storage: SystemStorage(owner: getuid())).get() == "5e0000000000000000000042")
        _ = dir.write("jcagent.conf", #"{"systemKey":"../../api/systemusers?"}"#, mode: 0o644)
        guard case .failure = SystemContextClient.readSystemKey(agentDir: dir.path, storage: SystemStorage(owner: getuid())) else {
            Issue.record("a systemKey that bends the URL accepted"); return
        }
    }

    // MARK: merging

    @Test func syncKeepsWhatItDidNotFetch() throws {
        var old = IdentityFixtures.directory
        old.boundUserIDs = [old.users[0].id]
        old.metadata = DirectoryMetadata(source: "api", syncedAt: 100, bindingsSyncedAt: 90)
        // Users only: the installed binding list stays.
        let (d, report) = try DirectorySync.run(api: api(Self.org(total: 3)), systemContext: nil, existing: old, now: 1000).get()
        #expect(d.users.count == 3 && d.users[0].username == "user0")
        #expect(d.boundUserIDs == old.boundUserIDs)
        #expect(d.metadata == DirectoryMetadata(source: "api", syncedAt: 1000, bindingsSyncedAt: 90))
        #expect(report.boundButUnknown == 1)
        #expect(report.lines.first == "users: 3 (1 pages), groups: 2, memberships: 3")
    }

    @Test func bindingsOnlySyncNeedsAnInstalledDirectory() throws {
        let t = FakeTransport { _ in FakeTransport.json(#"[{"id":"\#(IdentityFixtures.directory.users[1].id)","type":"user"}]"#) }
        let http = JumpCloudHTTP(transport: t, clock: FixedClock(), log: MemoryLogSink())
        let sc = SystemContextClient(http: http, baseURL: Self.base, systemKey: "abc", signer: FakeSigner())
        guard case .failure(let e) = DirectorySync.run(api: nil, systemContext: sc, existing: nil, now: 5) else {
            Issue.record("bindings without users written"); return
        }
        #expect(e.code == .configuration)
        let (d, report) = try DirectorySync.run(api: nil, systemContext: sc, existing: IdentityFixtures.directory, now: 5).get()
        #expect(d.users == IdentityFixtures.directory.users)
        #expect(d.boundUserIDs == [IdentityFixtures.directory.users[1].id])
        #expect(d.metadata.bindingsSyncedAt == 5)
        #expect(report.lines.contains("bound to this device: 1 users"))
    }

    @Test func importKeepsThisDevicesBindings() throws {
        var installed = IdentityFixtures.directory
        installed.boundUserIDs = ["abc"]
        installed.metadata.bindingsSyncedAt = 50
        var file = Directory(users: [IdentityFixtures.user("zed", "zed@contoso.com")])
        file.boundUserIDs = ["other"]
        file.metadata.syncedAt = 90
        let (d, _) = try DirectorySync.importing(file, existing: installed, now: 99).get()
        #expect(d.boundUserIDs == ["abc"])
        #expect(d.metadata.source == "import" && d.metadata.syncedAt == 90 && d.metadata.bindingsSyncedAt == 50)
        let (fresh, _) = try DirectorySync.importing(file, existing: nil, now: 99).get()
        #expect(fresh.boundUserIDs == ["other"])
    }
}
