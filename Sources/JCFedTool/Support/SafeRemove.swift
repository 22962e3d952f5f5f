import JCFedAdmin
import JCFedCore
import JCFedSystem

/// Deleting jcfed's cache and state as root without following anything another user could
/// plant: SecureFolder opens the folder once (no symbolic link), checks it on its descriptor and
/// walks it by descriptor (openat with O_NOFOLLOW, unlinkat), never by path again. A folder
/// swapped for a symbolic link during the walk is unlinked as the link it now is, so nothing
/// outside is reached.
enum SafeRemove {
    /// Removes everything inside `path` (kept itself); false when it does not exist. Refused
    /// (exit 2) when the folder could be changed by someone other than `owner` (the module
    /// requires of cache_dir and state_dir the same: owned by root, not writable by group or
    /// others, no symbolic link).
    @discardableResult
    static func clearContents(of path: String, owner: UInt32) throws -> Bool {
        switch SecureFolder.open(path, owner: owner, checks: .owned) {
        case .failure(.missing): return false
        case .failure(let r) where r.isUnsafe:
            throw ToolFailure.refused("not removing anything in \(path): \(path) \(r); the module refuses such a folder too")
        case .failure(let r): throw ToolFailure("cannot open \(path): it \(r)")
        case .success(let folder):
            if case .failure(let r) = folder.removeContents() { throw ToolFailure("cannot clear \(path): \(r)") }
            return true
        }
    }

    /// Why `path` could not be cleared safely, or nil (also nil when it does not exist): checked
    /// before a command changes anything, so a refusal leaves everything as it was.
    static func problem(_ path: String, owner: UInt32) -> String? {
        switch SecureFolder.open(path, owner: owner, checks: .owned) {
        case .success, .failure(.missing): return nil
        case .failure(let r): return "\(path) \(r)"
        }
    }
}
