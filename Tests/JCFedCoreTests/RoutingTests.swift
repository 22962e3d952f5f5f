import Testing
@testable import JCFedCore

@Suite struct RoutingTests {
    typealias F = IdentityFixtures

    func decide(_ user: String, groups: [String] = [], directory: Directory? = F.directory,
                users: FakeUsers = FakeUsers(), policy: StaleDirectoryPolicy = .warn,
                log: LogSink? = nil) -> Outcome? {
        let config = F.config { $0.routing.groups = groups; $0.mapping.staleDirectory = policy }
        let account = users.account(named: user) ?? LocalAccount(name: user, uid: 5000, gid: 5000)
        return Routing.decide(pamUser: user, account: account, config: config, directory: directory, users: users, log: log)
    }

    @Test func emptyGroupsRouteEveryone() {
        #expect(decide("alice") == nil)
        #expect(decide("bob", directory: nil) == nil)
    }

    @Test func jumpCloudGroupMembershipRoutes() {
        #expect(decide("alice", groups: ["Engineering"]) == nil)
        #expect(decide("carol", groups: ["Engineering", "Sales"]) == nil)
        let bob = decide("bob", groups: ["Engineering"])
        #expect(bob?.kind == .ignore && bob?.reason.word == "not-routed")
    }

    @Test func localGroupMembershipRoutes() {
        let users = FakeUsers(groups: ["bob": ["bob", "federated"]])
        #expect(decide("bob", groups: ["federated"], users: users) == nil)
        #expect(decide("bob", groups: ["federated"], directory: nil, users: users) == nil)
        #expect(decide("alice", groups: ["federated"], directory: nil, users: users)?.reason.word == "not-routed")
    }

    @Test func groupNamesCompareExactly() {
        #expect(decide("alice", groups: ["engineering"])?.reason.word == "not-routed")
    }

    @Test func aUserOutsideTheDirectoryIsNotFederated() {
        let o = decide("dave")
        #expect(o?.kind == .ignore && o?.reason.word == "not-in-directory")
    }

    @Test func aUserNotBoundToTheDeviceIsNotFederated() {
        var d = F.directory
        d.boundUserIDs = [d.users[0].id]
        #expect(decide("alice", directory: d) == nil)
        let bob = decide("bob", directory: d)
        #expect(bob?.kind == .ignore && bob?.reason.word == "not-bound")
        // No binding list: the check is off.
        d.boundUserIDs = nil
        #expect(decide("bob", directory: d) == nil)
        // An empty list binds nobody.
        d.boundUserIDs = []
        #expect(decide("alice", directory: d)?.reason.word == "not-bound")
    }

    @Test func notRoutedComesBeforeBinding() {
        var d = F.directory
        d.boundUserIDs = []
        #expect(decide("bob", groups: ["Engineering"], directory: d)?.reason.word == "not-routed")
    }

    @Test func staleDirectoryWarnsOrDenies() {
        var d = F.directory
        d.isStale = true
        d.ageSeconds = 10 * 86400
        let log = MemoryLogSink()
        #expect(decide("alice", directory: d, log: log) == nil)
        #expect(log.lines.contains { $0.0 == .warning && $0.1.contains("240 hours") })
        let denied = decide("alice", directory: d, policy: .deny)
        #expect(denied?.kind == .unavailable && denied?.reason.word == "stale-directory")
        #expect(denied?.userMessage != nil)
        // Users who are not routed are unaffected.
        #expect(decide("bob", groups: ["Engineering"], directory: d, policy: .deny)?.reason.word == "not-routed")
    }

    @Test func notBoundIsPermissionDeniedAtTheAccountStage() {
        let ignored = Outcome.notBound("carol", jumpCloudID: "u3")
        #expect(ignored.kind == .ignore)
        let acct = ignored.atAccountStage
        #expect(acct.kind == .permissionDenied && acct.reason.word == "not-bound")
        #expect(acct.adminDetail == ignored.adminDetail)
        #expect(acct.userMessage == "Your JumpCloud account is not allowed on this device.")
        let notRouted = Outcome.notRouted("bob", groups: ["Engineering"])
        #expect(notRouted.atAccountStage == notRouted)
    }
}
