// The shared test kit (Tests/JCFedTestKit), visible in every file of this target.
@_exported import JCFedTestKit
