/// The module's files as the core sees them: the configuration, the client secret, the
/// directory file, the identity pins and the discovery cache. The core keeps their formats and
/// decides what they mean; how they are opened (by descriptor, no symbolic link, owner and mode
/// checked on what was opened, size-capped, replaced atomically) is the adapter's
/// (`SecureFolder` in JCFedSystem). Stage tests pass an in-memory storage, so they need no real
/// folders, and the owner the files must have (root; a test's own uid) belongs to the storage.
public protocol ModuleStorage: AnyObject {
    /// A regular file owned by the storage's owner, not writable by group or others (nor
    /// readable by others when it `holdsSecret`), at most `maxBytes`. The file itself is never
    /// a symbolic link; the folders on its path are resolved as the system resolves them.
    func readFile(_ path: String, maxBytes: Int, holdsSecret: Bool) -> Result<StoredFile, FileRefusal>

    /// A folder only the owner can change (owned by them, not writable by group or others;
    /// with `privateToOwner`, closed to group and others), never reached through a symbolic
    /// link. Created with mode `createMode` when it is missing and a mode is given; `.missing`
    /// otherwise.
    func openFolder(_ path: String, createMode: UInt32?, privateToOwner: Bool) -> Result<StorageFolder, FileRefusal>
}

/// An open, checked folder. Every name is one entry of it (no slash), reached relative to the
/// folder as it was opened, so a folder swapped afterwards changes nothing.
public protocol StorageFolder: AnyObject {
    var path: String { get }
    /// A sub-folder, with the same rules as `ModuleStorage.openFolder`.
    func folder(_ name: String, createMode: UInt32?, privateToOwner: Bool) -> Result<StorageFolder, FileRefusal>
    /// A file with the rules of `ModuleStorage.readFile` (no secret).
    func read(_ name: String, maxBytes: Int) -> Result<StoredFile, FileRefusal>
    /// Replaces `name` atomically with a mode 0600 file: a reader sees the old content or the
    /// new, never a mix, and a crash never leaves a truncated file.
    func replace(_ name: String, _ bytes: [UInt8]) -> Result<Void, FileRefusal>
    /// Creates `name` (mode 0600, complete or not at all) unless it exists: false when it did.
    /// Of two concurrent calls for one name exactly one returns true.
    func createExclusive(_ name: String, _ bytes: [UInt8]) -> Result<Bool, FileRefusal>
    /// Removes a file; false when there was none.
    func remove(_ name: String) -> Result<Bool, FileRefusal>
    /// Removes a sub-folder and everything in it, following no link; false when there was none.
    func removeFolder(_ name: String) -> Result<Bool, FileRefusal>
    /// The entry names (without "." and ".."), in no particular order.
    func names() -> Result<[String], FileRefusal>
    /// Opens `name` (created 0600 when missing), locks it without waiting and replaces its
    /// content (at most `maxBytes` is read) with what `body` returns; nil leaves it as it was.
    /// True only when `body` answered and the new content was written; false when the file is
    /// unsafe, locked by another process or cannot be written.
    func updateLocked(_ name: String, maxBytes: Int, _ body: ([UInt8]) -> [UInt8]?) -> Bool
}

/// A file's content and its modification time (seconds since the epoch).
public struct StoredFile: Sendable, Equatable {
    public var bytes: [UInt8]
    public var modifiedAt: Int64
    /// Which file on disk was read, in which state (fstat of the descriptor read); nil when the
    /// storage has no files (tests' in-memory storage).
    public var identity: FileIdentity?
    public init(bytes: [UInt8], modifiedAt: Int64 = 0, identity: FileIdentity? = nil) {
        self.bytes = bytes
        self.modifiedAt = modifiedAt
        self.identity = identity
    }

    /// The content as UTF-8 text.
    public var text: Result<String, FileRefusal> {
        guard let s = String(validating: bytes, as: UTF8.self) else { return .failure(.notUTF8) }
        return .success(s)
    }
}

/// Why a file or folder was refused, said after its path: "/etc/jcfed/jcfed.conf has mode
/// 0664, must not be writable by group or others".
public enum FileRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case missing
    case unreadable(Int32)
    case symlink
    case notRegular
    case notDirectory
    case notAbsolute
    case wrongOwner(UInt32)
    case groupOrOtherWritable(UInt32)
    /// A folder that must be closed to group and others (the pin store) is not.
    case notPrivate(UInt32)
    case readableByOthers(UInt32)
    case tooLarge(Int)
    case notUTF8
    /// A write or removal failed; the text says which step and why.
    case failed(String)

    public var description: String {
        switch self {
        case .missing: return "does not exist"
        case .unreadable(let e): return "cannot be read (errno \(e))"
        case .symlink: return "is a symbolic link (not followed)"
        case .notRegular: return "is not a regular file"
        case .notDirectory: return "is not a directory (symlinks are not followed)"
        case .notAbsolute: return "is not an absolute path"
        case .wrongOwner(let uid): return "is owned by uid \(uid), must be owned by root"
        case .groupOrOtherWritable(let m): return "has mode \(FileRefusal.octal(m)), must not be writable by group or others"
        case .notPrivate(let m): return "has mode \(FileRefusal.octal(m)), must not be accessible by group or others (chmod 0700)"
        case .readableByOthers(let m): return "holds a secret and has mode \(FileRefusal.octal(m)), must not be readable by others (chmod 600)"
        case .tooLarge(let n): return "is larger than \(n) bytes"
        case .notUTF8: return "is not valid UTF-8 text"
        case .failed(let what): return what
        }
    }

    /// Others could change or plant what is there (a login refuses it rather than going on
    /// without it), as opposed to a folder that is missing or cannot be created.
    public var isUnsafe: Bool {
        switch self {
        case .symlink, .notRegular, .notDirectory, .wrongOwner, .groupOrOtherWritable, .notPrivate, .readableByOthers: return true
        default: return false
        }
    }

    /// A mode as chmod spells it: 0644.
    public static func octal(_ m: UInt32) -> String {
        "0" + String(m & 0o7777, radix: 8)
    }
}

extension ModuleStorage {
    /// A file's bytes, with the rules of `readFile`.
    public func read(_ path: String, maxBytes: Int = 64 * 1024, holdsSecret: Bool = false) -> Result<[UInt8], FileRefusal> {
        readFile(path, maxBytes: maxBytes, holdsSecret: holdsSecret).map { $0.bytes }
    }

    /// A UTF-8 text file, with the rules of `readFile`.
    public func readText(_ path: String, maxBytes: Int = 64 * 1024, holdsSecret: Bool = false) -> Result<String, FileRefusal> {
        readFile(path, maxBytes: maxBytes, holdsSecret: holdsSecret).flatMap { $0.text }
    }
}
