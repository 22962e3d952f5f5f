// The shared test kit (Tests/JCFedTestKit: one fake per seam, one temporary folder, one tenant and
// client id), visible in every file of this target.
@_exported import JCFedTestKit
