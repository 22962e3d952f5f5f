// The shared test kit (Tests/JCFedTestKit: one fake per seam, one temporary folder, one tenant and
// client id), visible in every file of this target.
@_exported import JCFedTestKit

// The names the suites used before the kit; kept only so branches written against them still
// build after a merge. New tests use the kit's names.
typealias FlowFakeTransport = FakeTransport
typealias FlowFakePrompter = FakePrompter
typealias FlowFakeVerifier = FakeVerifier
typealias IdentityFakeUsers = FakeUsers
typealias IdentityTempDir = TemporaryDirectory
typealias JumpCloudFakeTransport = FakeTransport
typealias JumpCloudFakeSigner = FakeSigner
