/// One identity pin: the local account is bound to this Entra object (tenant + object id).
public struct Pin: Sendable, Equatable {
    public var account: String
    /// Entra tenant id; nil for an oidc provider (the issuer is then the namespace of `oid`).
    public var tid: String?
    /// Entra `oid` (immutable object id); for oidc, `sub`.
    public var oid: String
    public var issuer: String
    /// Seconds since the epoch.
    public var pinnedAt: Int64

    public init(account: String, tid: String?, oid: String, issuer: String, pinnedAt: Int64) {
        self.account = account
        self.tid = tid
        self.oid = oid
        self.issuer = issuer
        self.pinnedAt = pinnedAt
    }

    /// Same tenant and object id. GUIDs compare case-insensitively; an oidc `sub` exactly.
    public func matches(tid other: String?, oid otherOID: String) -> Bool {
        Pin.same(tid, other) && Pin.same(oid, otherOID)
    }

    static func same(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?):
            if GUID.isValid(x) && GUID.isValid(y) { return x.lowercased() == y.lowercased() }
            return Array(x.utf8) == Array(y.utf8)
        default: return false
        }
    }
}

public enum PinDecision: Sendable, Equatable {
    /// No pin yet for the account.
    case unpinned
    /// The account is pinned to this identity.
    case matches(Pin)
    /// The account is pinned to another identity.
    case mismatch(Pin)
}

/// The root-only pin store: one file per account in `<state_dir>/pins` (mode 0700), each file
/// 0600 JSON. One file per account makes concurrent first logins of different users independent,
/// and the first pin of one account is created exclusively (StorageFolder.createExclusive): of
/// two concurrent first logins to the same account exactly one pin is written, and the other
/// login then compares against it. A pin file appears complete or not at all.
///
/// This type keeps the layout and the format; the storage opens and checks the folders and files
/// (the state folder and the pins folder owned by root and not writable by group or others, the
/// pins folder closed to them, no symbolic link).
public final class PinStore {
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var problem: String
        public init(_ problem: String) { self.problem = problem }
        public var description: String { problem }
    }

    public let stateDir: String
    public let directory: String
    let storage: ModuleStorage
    static let maxFileBytes = 4096

    public init(stateDir: String, storage: ModuleStorage) {
        self.stateDir = stateDir
        self.directory = stateDir + "/pins"
        self.storage = storage
    }

    // MARK: public operations

    public func lookup(account: String) -> Result<Pin?, Failure> {
        switch withFolder(create: false, { folder in self.read(folder, name: PinStore.fileName(account), account: account) }) {
        case .failure(let f): return .failure(f)
        case .success(let pin): return .success(pin ?? nil)
        }
    }

    /// What the store says about this identity for the account.
    public func check(account: String, tid: String?, oid: String) -> Result<PinDecision, Failure> {
        switch lookup(account: account) {
        case .failure(let f): return .failure(f)
        case .success(nil): return .success(.unpinned)
        case .success(let pin?): return .success(pin.matches(tid: tid, oid: oid) ? .matches(pin) : .mismatch(pin))
        }
    }

    /// Pins the account if it has no pin yet. When another login pinned it first (a race), the
    /// answer compares the identity with that pin; `.unpinned` means this call wrote the pin.
    public func record(_ pin: Pin) -> Result<PinDecision, Failure> {
        let result: Result<PinDecision?, Failure> = withFolder(create: true) { folder in
            let name = PinStore.fileName(pin.account)
            switch folder.createExclusive(name, PinStore.serialize(pin)) {
            case .failure(let r): return .failure(Failure("the pin of \(pin.account) in \(self.directory) \(r)"))
            case .success(true): return .success(.unpinned)
            case .success(false): break
            }
            // Someone pinned the account between our check and now: compare with theirs.
            switch self.read(folder, name: name, account: pin.account) {
            case .failure(let f): return .failure(f)
            case .success(nil): return .failure(Failure("the pin for \(pin.account) vanished while it was written"))
            case .success(let other?):
                return .success(other.matches(tid: pin.tid, oid: pin.oid) ? .matches(other) : .mismatch(other))
            }
        }
        switch result {
        case .failure(let f): return .failure(f)
        case .success(let d?): return .success(d)
        case .success(nil): return .failure(Failure("the pin store \(directory) is missing"))
        }
    }

    /// All pins, sorted by account. Files that are not pins (or are damaged) are reported.
    public func list() -> Result<(pins: [Pin], problems: [String]), Failure> {
        let result: Result<([Pin], [String])?, Failure> = withFolder(create: false) { folder in
            let names: [String]
            switch folder.names() {
            case .failure(let r): return .failure(Failure("\(self.directory) \(r)"))
            case .success(let n): names = n.filter { !$0.hasPrefix(".") }
            }
            var pins: [Pin] = []
            var problems: [String] = []
            for name in names.sorted() {
                guard let account = PinStore.accountName(fromFile: name) else {
                    problems.append("\(name): not a pin file name"); continue
                }
                switch self.read(folder, name: name, account: account) {
                case .failure(let f): problems.append(f.problem)
                case .success(let p?): pins.append(p)
                case .success(nil): break
                }
            }
            return .success((pins, problems))
        }
        switch result {
        case .failure(let f): return .failure(f)
        case .success(nil): return .success(([], []))
        case .success(let r?): return .success((r.0, r.1))
        }
    }

    /// Removes the pin of an account; false when there was none.
    public func reset(account: String) -> Result<Bool, Failure> {
        let result: Result<Bool?, Failure> = withFolder(create: false) { folder in
            folder.remove(PinStore.fileName(account)).mapError { Failure("the pin of \(account) \($0)") }
        }
        return result.map { $0 ?? false }
    }

    /// Removes every pin and the pins folder itself (`jcfed idp delete`), walking it by
    /// descriptor; false when there was no store. A state folder others could change is refused.
    public func removeAll() -> Result<Bool, Failure> {
        switch storage.openFolder(stateDir, createMode: nil, privateToOwner: false) {
        case .failure(.missing): return .success(false)
        case .failure(let r): return .failure(Failure("\(stateDir) \(r)"))
        case .success(let state):
            return state.removeFolder("pins").mapError { Failure("\(self.directory) \($0)") }
        }
    }

    // MARK: file names and format

    /// The account name as a file name: [A-Za-z0-9_-] and inner dots kept, everything else %XX,
    /// so no name can be `..`, contain a slash or start with a dot (temporary files do).
    public static func fileName(_ account: String) -> String {
        // Bytes, then one String: appending scalar by scalar runs the standard library's
        // scalar-encoding code, pages of its own in every login process (bench, round 9).
        var out: [UInt8] = []
        out.reserveCapacity(account.utf8.count * 3)
        let hex = Array("0123456789ABCDEF".utf8)
        var first = true
        for b in account.utf8 {
            let keep = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39)
                || b == 0x5f || b == 0x2d || (b == 0x2e && !first)
            first = false
            if keep {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func accountName(fromFile name: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(name.utf8)[...]
        while let b = it.first {
            it = it.dropFirst()
            if b != UInt8(ascii: "%") { bytes.append(b); continue }
            guard it.count >= 2, let h = hexValue(it[it.startIndex]), let l = hexValue(it[it.startIndex + 1]) else { return nil }
            bytes.append(h << 4 | l)
            it = it.dropFirst(2)
        }
        guard let s = String(validating: bytes, as: UTF8.self), fileName(s) == name else { return nil }
        return s
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    static func serialize(_ pin: Pin) -> [UInt8] {
        var w = JSONText()
        w.raw("{\"account\":"); w.string(pin.account)
        w.raw(",\"tid\":")
        if let t = pin.tid { w.string(t) } else { w.raw("null") }
        w.raw(",\"oid\":"); w.string(pin.oid)
        w.raw(",\"issuer\":"); w.string(pin.issuer)
        w.raw(",\"pinned_at\":\(pin.pinnedAt)}\n")
        return w.bytes
    }

    static func parse(_ bytes: [UInt8], account: String) -> Pin? {
        guard case .success(let v) = JSONParser.parse(bytes, maxBytes: maxFileBytes),
              let a = v["account"]?.stringValue, Array(a.utf8) == Array(account.utf8),
              let oid = v["oid"]?.stringValue, !oid.isEmpty,
              let issuer = v["issuer"]?.stringValue,
              let at = v["pinned_at"]?.int64Value else { return nil }
        var tid: String?
        switch v["tid"] {
        case .string(let t)?: tid = t
        case .null?: tid = nil
        default: return nil
        }
        return Pin(account: a, tid: tid, oid: oid, issuer: issuer, pinnedAt: at)
    }

    // MARK: the folder

    /// Runs `body` with the pins folder, opened after the state folder, both checked by the
    /// storage. Returns nil without calling `body` when the store does not exist and `create` is
    /// false.
    func withFolder<T>(create: Bool, _ body: (StorageFolder) -> Result<T, Failure>) -> Result<T?, Failure> {
        let state: StorageFolder
        switch storage.openFolder(stateDir, createMode: create ? 0o755 : nil, privateToOwner: false) {
        case .failure(.missing) where !create: return .success(nil)
        case .failure(let r): return .failure(Failure("\(stateDir) \(r)"))
        case .success(let f): state = f
        }
        switch state.folder("pins", createMode: create ? 0o700 : nil, privateToOwner: true) {
        case .failure(.missing) where !create: return .success(nil)
        case .failure(let r): return .failure(Failure("\(directory) \(r)"))
        case .success(let pins): return body(pins).map { Optional($0) }
        }
    }

    /// nil when the file does not exist.
    func read(_ folder: StorageFolder, name: String, account: String) -> Result<Pin?, Failure> {
        switch folder.read(name, maxBytes: PinStore.maxFileBytes) {
        case .failure(.missing): return .success(nil)
        case .failure(let r): return .failure(Failure("the pin of \(account) \(r)"))
        case .success(let file):
            guard let pin = PinStore.parse(file.bytes, account: account) else {
                return .failure(Failure("the pin of \(account) is damaged; remove it with: jcfed pins reset \(account)"))
            }
            return .success(pin)
        }
    }
}
