/// A local account as NSS reports it.
public struct LocalAccount: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public init(name: String, uid: UInt32, gid: UInt32) {
        self.name = name
        self.uid = uid
        self.gid = gid
    }
}

/// NSS lookups (getpwnam_r, getgrouplist) behind a seam so mapping and routing are pure.
public protocol UserDatabase: AnyObject {
    func account(named name: String) -> LocalAccount?
    /// Names of the local groups the account is a member of (primary included).
    func groupNames(of account: LocalAccount) -> [String]
}
