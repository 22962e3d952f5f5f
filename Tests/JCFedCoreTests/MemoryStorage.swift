@testable import JCFedCore

/// ModuleStorage in memory, for stage tests: files and folders with an owner and a mode, and
/// links, checked with the module's rules (FileRefusal) so a test can show a refusal without a
/// real folder. SecureFolderTests show the same rules on real files.
final class MemoryStorage: ModuleStorage {
    struct Entry {
        enum Kind { case file, folder, link }
        var kind: Kind
        var bytes: [UInt8] = []
        var uid: UInt32
        var mode: UInt32
        var modifiedAt: Int64 = 0
        /// Which write made this content (the FileIdentity's inode and change time).
        var generation: Int64 = 0
    }

    let owner: UInt32
    var entries: [String: Entry] = [:]
    /// How many times a file was read, by path (the not-federated path reads no file).
    private(set) var reads: [String: Int] = [:]
    /// Counts the writes through `file`, so that each gives its content another FileIdentity.
    private var writes: Int64 = 0

    init(owner: UInt32 = 0) {
        self.owner = owner
    }

    @discardableResult
    func file(_ path: String, _ text: String, mode: UInt32 = 0o644, uid: UInt32? = nil, modifiedAt: Int64 = 0) -> String {
        writes += 1
        entries[path] = Entry(kind: .file, bytes: Array(text.utf8), uid: uid ?? owner, mode: mode, modifiedAt: modifiedAt,
                              generation: writes)
        return path
    }

    func folder(_ path: String, mode: UInt32 = 0o755, uid: UInt32? = nil) {
        entries[path] = Entry(kind: .folder, uid: uid ?? owner, mode: mode)
    }

    func link(_ path: String) {
        entries[path] = Entry(kind: .link, uid: owner, mode: 0o777)
    }

    func text(_ path: String) -> String? {
        entries[path].map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    func readFile(_ path: String, maxBytes: Int, holdsSecret: Bool) -> Result<StoredFile, FileRefusal> {
        reads[path, default: 0] += 1
        guard let e = entries[path] else { return .failure(.missing) }
        switch e.kind {
        case .link: return .failure(.symlink)
        case .folder: return .failure(.notRegular)
        case .file: break
        }
        guard e.uid == owner else { return .failure(.wrongOwner(e.uid)) }
        guard e.mode & 0o022 == 0 else { return .failure(.groupOrOtherWritable(e.mode)) }
        if holdsSecret && e.mode & 0o004 != 0 { return .failure(.readableByOthers(e.mode)) }
        guard e.bytes.count <= maxBytes else { return .failure(.tooLarge(maxBytes)) }
        let identity = FileIdentity(device: 1, inode: UInt64(e.generation), size: Int64(e.bytes.count),
                                    modified: (e.modifiedAt, 0), changed: (e.generation, 0))
        return .success(StoredFile(bytes: e.bytes, modifiedAt: e.modifiedAt, identity: identity))
    }

    func openFolder(_ path: String, createMode: UInt32?, privateToOwner: Bool) -> Result<StorageFolder, FileRefusal> {
        guard path.hasPrefix("/") else { return .failure(.notAbsolute) }
        if entries[path] == nil, let mode = createMode { folder(path, mode: mode) }
        guard let e = entries[path] else { return .failure(.missing) }
        switch e.kind {
        case .link: return .failure(.symlink)
        case .file: return .failure(.notDirectory)
        case .folder: break
        }
        guard e.uid == owner else { return .failure(.wrongOwner(e.uid)) }
        guard e.mode & 0o022 == 0 else { return .failure(.groupOrOtherWritable(e.mode)) }
        if privateToOwner && e.mode & 0o077 != 0 { return .failure(.notPrivate(e.mode)) }
        return .success(MemoryFolder(storage: self, path: path))
    }
}

final class MemoryFolder: StorageFolder {
    let storage: MemoryStorage
    let path: String

    init(storage: MemoryStorage, path: String) {
        self.storage = storage
        self.path = path
    }

    func child(_ name: String) -> String { path + "/" + name }

    func folder(_ name: String, createMode: UInt32?, privateToOwner: Bool) -> Result<StorageFolder, FileRefusal> {
        storage.openFolder(child(name), createMode: createMode, privateToOwner: privateToOwner)
    }

    func read(_ name: String, maxBytes: Int) -> Result<StoredFile, FileRefusal> {
        storage.readFile(child(name), maxBytes: maxBytes, holdsSecret: false)
    }

    func replace(_ name: String, _ bytes: [UInt8]) -> Result<Void, FileRefusal> {
        storage.entries[child(name)] = .init(kind: .file, bytes: bytes, uid: storage.owner, mode: 0o600)
        return .success(())
    }

    func createExclusive(_ name: String, _ bytes: [UInt8]) -> Result<Bool, FileRefusal> {
        if storage.entries[child(name)] != nil { return .success(false) }
        storage.entries[child(name)] = .init(kind: .file, bytes: bytes, uid: storage.owner, mode: 0o600)
        return .success(true)
    }

    func remove(_ name: String) -> Result<Bool, FileRefusal> {
        .success(storage.entries.removeValue(forKey: child(name)) != nil)
    }

    func removeFolder(_ name: String) -> Result<Bool, FileRefusal> {
        let prefix = child(name)
        let existed = storage.entries[prefix] != nil
        storage.entries = storage.entries.filter { $0.key != prefix && !$0.key.hasPrefix(prefix + "/") }
        return .success(existed)
    }

    func names() -> Result<[String], FileRefusal> {
        .success(storage.entries.keys.compactMap { key in
            guard key.hasPrefix(path + "/") else { return nil }
            let rest = key.dropFirst(path.count + 1)
            return rest.contains("/") ? nil : String(rest)
        })
    }

    func updateLocked(_ name: String, maxBytes: Int, _ body: ([UInt8]) -> [UInt8]?) -> Bool {
        let current = storage.entries[child(name)]
        if let c = current, c.kind != .file || c.uid != storage.owner || c.mode & 0o022 != 0 { return false }
        guard let new = body(Array((current?.bytes ?? []).prefix(maxBytes))) else { return false }
        storage.entries[child(name)] = .init(kind: .file, bytes: new, uid: storage.owner, mode: 0o600)
        return true
    }
}

/// A folder of a MemoryStorage with TemporaryDirectory's shape (path, write), so a stage test's
/// world moves to memory by changing one line.
struct MemoryDir {
    let storage: MemoryStorage
    var path = "/srv/jcfed-test"

    @discardableResult
    func write(_ name: String, _ text: String, mode: UInt32 = 0o600) -> String {
        storage.file(path + "/" + name, text, mode: mode)
    }
}
