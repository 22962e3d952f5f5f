/// Which file was read and in which state: device and inode name the file, size, modification
/// and status-change times (with nanoseconds) its state. Any write, replacement (a new inode),
/// chmod or chown changes at least one of them, and no process can set the change time, so two
/// equal identities mean the same unchanged file. The not-federated record (NotFederatedRecord)
/// holds the identities of the files its decision read; the front module compares them with
/// lstat's.
public struct FileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64
    public var changedSeconds: Int64
    public var changedNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modified: (Int64, Int64), changed: (Int64, Int64)) {
        self.device = device
        self.inode = inode
        self.size = size
        (modifiedSeconds, modifiedNanoseconds) = modified
        (changedSeconds, changedNanoseconds) = changed
    }
}
