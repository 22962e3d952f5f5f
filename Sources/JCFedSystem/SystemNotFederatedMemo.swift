import Glibc
import JCFedCore

/// Not-federated records (NotFederatedRecord) in /run/jcfed/not-federated, one file per uid,
/// for the front module. /run is a tmpfs on most systems (the records go with a reboot), and a
/// record is only ever a shortcut (a missing one costs the next login a decision in the core).
///
/// Written only as root (sshd, login, su and sudo run PAM as root; a screen locker running as
/// the user writes nothing), into folders root owns and nobody else can write, through
/// SecureFolder (no symbolic link followed, replaced atomically, not synced to disk: a record is
/// a cache, and the two fsyncs cost a first decision 0.8 ms where /run is not a tmpfs), mode 0644:
/// the front trusts a record only when it and both folders are root's and not writable by group
/// or others.
public final class SystemNotFederatedMemo: NotFederatedMemo {
    public static let parent = "/run/jcfed"
    public static let folderName = "not-federated"

    public init() {}

    public func remember(_ record: NotFederatedRecord) {
        guard geteuid() == 0 else { return }
        _ = SecureFolder.open(SystemNotFederatedMemo.parent, owner: 0, createMode: 0o755)
            .flatMap { $0.folder(SystemNotFederatedMemo.folderName, checks: .owned, createMode: 0o755) }
            .flatMap { $0.replace(String(record.uid), record.encoded, mode: 0o644, fileOwner: 0, durable: false) }
    }
}
