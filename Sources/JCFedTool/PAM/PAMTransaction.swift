import JCFedAdmin
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// One change to PAM (and jcfed.conf) that happens whole or not at all.
///
/// - A lock (flock on /run/jcfed.lock, or DIR/var/lib/jcfed/lock under --root) is held
///   from before the files are read until the change is done or undone: two jcfed commands
///   never interleave their edits.
/// - Every file the change may touch is read into memory first (`snapshot`); the plan is made
///   against that text. `requireUnchanged` re-reads the files the plan was made from right
///   before writing: an edit made meanwhile (another admin, while the confirmation waited)
///   aborts the command with nothing changed.
/// - `rollback` writes every touched file back from memory (or removes it when it did not
///   exist) and re-reads them all to prove the old state is back.
final class PAMTransaction {
    struct Original {
        var bytes: [UInt8]?
        var info: FileSystem.Info?
    }

    let context: ToolContext
    private var lockFD: Int32 = -1
    private(set) var originals: [String: Original] = [:]
    private var order: [String] = []

    init(context: ToolContext) {
        self.context = context
    }

    deinit { unlock() }

    /// /run/jcfed.lock: in /run, which only root can write (not /run/lock, where anyone can
    /// create the file first and hold the lock forever).
    var lockPath: String {
        context.isSystemRoot ? "/run/jcfed.lock" : context.hostDirectory(ToolContext.stateDir) + "/lock"
    }

    /// Takes the lock, waiting up to `seconds` for another jcfed command to finish.
    func lock(seconds: Int = 10) throws {
        let path = lockPath
        if !context.isSystemRoot { try FileSystem.makeDirectories(FileSystem.directoryName(path), mode: 0o700) }
        switch LockFile.acquire(path, owner: geteuid(), waitSeconds: seconds) {
        case .success(let fd): lockFD = fd
        case .failure(.cannotOpen(let why)):
            throw ToolFailure("cannot open the lock file \(path): \(why)")
        case .failure(.notOurs):
            throw ToolFailure.refused("the lock file \(path) is not a regular file of this user; remove it and run the command again")
        case .failure(.busy):
            throw ToolFailure.refused("another jcfed command is changing PAM (it holds \(path)); nothing was changed; try again when it has finished")
        }
    }

    func unlock() {
        if lockFD >= 0 { close(lockFD); lockFD = -1 }
    }

    /// Reads the current content of each host path (once: the first read is the original).
    func snapshot(_ paths: [String]) {
        for path in paths where originals[path] == nil {
            originals[path] = Original(bytes: PAMTransaction.readBytes(path), info: FileSystem.info(path))
            order.append(path)
        }
    }

    /// The original text of a snapshotted file (nil: absent).
    func originalText(_ path: String) -> String? {
        originals[path]?.bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Fails (exit 2, nothing changed) when one of `paths` is no longer what was read.
    func requireUnchanged(_ paths: [String]) throws {
        let changed = paths.filter { path in
            guard let original = originals[path] else { return false }
            return PAMTransaction.readBytes(path) != original.bytes
        }
        guard changed.isEmpty else {
            throw ToolFailure.refused("\(changed.joined(separator: ", ")) changed while this command was running (another admin or program edited it); nothing was changed; run the command again to plan against the new text")
        }
    }

    /// Paths whose content differs from the original now.
    func changedPaths() -> [String] {
        order.filter { PAMTransaction.readBytes($0) != originals[$0]?.bytes }
    }

    /// Puts every snapshotted file back as it was, then checks it. Returns the paths that could
    /// not be restored (empty: the system is as before the command).
    func rollback() -> [String] {
        for path in order {
            guard let original = originals[path], PAMTransaction.readBytes(path) != original.bytes else { continue }
            if let bytes = original.bytes {
                let info = original.info
                let mode = info.map { mode_t($0.mode & 0o7777) } ?? 0o644
                try? FileSystem.writeAtomically(path, contents: bytes, mode: mode,
                                                owner: context.writeOwner == nil ? nil : info?.uid ?? 0,
                                                group: context.writeOwner == nil ? nil : info?.gid)
            } else {
                try? FileSystem.remove(path)
            }
        }
        return changedPaths()
    }

    /// Runs `body`; on any failure restores every snapshotted file and says so, then rethrows
    /// (with the restore's outcome added to the message).
    func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as ToolFailure {
            throw failure.adding(restoreReport())
        } catch {
            throw ToolFailure("\(error)").adding(restoreReport())
        }
    }

    private func restoreReport() -> [String] {
        let touched = changedPaths()
        guard !touched.isEmpty else { return ["nothing was changed."] }
        let left = rollback()
        if left.isEmpty {
            return ["every file this command changed was restored and verified: " + touched.joined(separator: ", ")]
        }
        return ["COULD NOT RESTORE " + left.joined(separator: ", ") + "; check them now ('jcfed status'; the originals of per-service files are in " +
                context.hostDirectory(ToolContext.stateDir + "/pam.d-backup") + ")"]
    }

    static func readBytes(_ path: String) -> [UInt8]? {
        if let bytes = FileSystem.readBytes(path, followLinks: false, maxBytes: 16 << 20) { return bytes }
        // A symbolic link is not ours to restore through: record its target text instead.
        return errno == ENOENT ? nil : FileSystem.readText(path).map { Array($0.utf8) }
    }
}

extension ToolFailure {
    func adding(_ lines: [String]) -> ToolFailure {
        ToolFailure(status: status, lines: [message] + lines)
    }
}
