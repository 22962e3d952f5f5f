#if canImport(Glibc)
import Glibc
#endif

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
/// and the first pin of one account is created with link(2), which fails if the name exists: of
/// two concurrent first logins to the same account exactly one pin is written, and the other
/// login then compares against it. A pin file appears complete or not at all (it is written and
/// fsynced under a temporary name first).
public final class PinStore {
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var problem: String
        public init(_ problem: String) { self.problem = problem }
        public var description: String { problem }
    }

    public let stateDir: String
    public let directory: String
    let owner: UInt32
    static let maxFileBytes = 4096

    public init(stateDir: String, owner: UInt32 = 0) {
        self.stateDir = stateDir
        self.directory = stateDir + "/pins"
        self.owner = owner
    }

    // MARK: public operations

    public func lookup(account: String) -> Result<Pin?, Failure> {
        switch withDirectory(create: false, { dfd in self.read(dfd, name: PinStore.fileName(account), account: account) }) {
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
        let result: Result<PinDecision?, Failure> = withDirectory(create: true) { dfd in
            let name = PinStore.fileName(pin.account)
            let tmp = ".tmp." + String(getpid()) + "." + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return .failure(Failure("cannot create a pin file in \(self.directory) (errno \(errno))")) }
            defer { unlinkat(dfd, tmp, 0) }
            let bytes = PinStore.serialize(pin)
            let werr = AtomicReplace.writeAll(fd, bytes)
            let synced = werr == nil && fchmod(fd, 0o600) == 0 && fsync(fd) == 0
            close(fd)
            guard synced else { return .failure(Failure("cannot write a pin file in \(self.directory)")) }
            if linkat(dfd, tmp, dfd, name, 0) == 0 {
                _ = fsync(dfd)
                return .success(.unpinned)
            }
            guard errno == EEXIST else { return .failure(Failure("cannot install the pin for \(pin.account) (errno \(errno))")) }
            // Someone pinned the account between our check and now: compare with theirs.
            switch self.read(dfd, name: name, account: pin.account) {
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
        let result: Result<([Pin], [String])?, Failure> = withDirectory(create: false) { dfd in
            let copy = Glibc.dup(dfd)
            guard copy >= 0, let dir = fdopendir(copy) else { return .failure(Failure("cannot list \(self.directory)")) }
            defer { closedir(dir) }
            let names = DirectoryEntries.names(dir).filter { !$0.hasPrefix(".") }
            var pins: [Pin] = []
            var problems: [String] = []
            for name in names.sorted() {
                guard let account = PinStore.accountName(fromFile: name) else {
                    problems.append("\(name): not a pin file name"); continue
                }
                switch self.read(dfd, name: name, account: account) {
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
        let result: Result<Bool?, Failure> = withDirectory(create: false) { dfd in
            if unlinkat(dfd, PinStore.fileName(account), 0) == 0 {
                _ = fsync(dfd)
                return .success(true)
            }
            if errno == ENOENT { return .success(false) }
            return .failure(Failure("cannot remove the pin of \(account) (errno \(errno))"))
        }
        return result.map { $0 ?? false }
    }

    // MARK: file names and format

    /// The account name as a file name: [A-Za-z0-9_-] and inner dots kept, everything else %XX,
    /// so no name can be `..`, contain a slash or start with a dot (temporary files do).
    public static func fileName(_ account: String) -> String {
        var out = ""
        let hex = Array("0123456789ABCDEF".utf8)
        for (i, b) in account.utf8.enumerated() {
            let keep = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39)
                || b == 0x5f || b == 0x2d || (b == 0x2e && i > 0)
            if keep {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 0x0f)]))
            }
        }
        return out
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

    // MARK: safe directory access

    /// Runs `body` with a descriptor of the pins directory after checking that it and the state
    /// directory are real directories owned by `owner` and not writable by group or others.
    /// Returns nil without calling `body` when the store does not exist and `create` is false.
    func withDirectory<T>(create: Bool, _ body: (Int32) -> Result<T, Failure>) -> Result<T?, Failure> {
        if create {
            if mkdir(stateDir, 0o755) != 0 && errno != EEXIST {
                return .failure(Failure("cannot create \(stateDir) (errno \(errno))"))
            }
        }
        let sfd = open(stateDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if sfd < 0 {
            if errno == ENOENT && !create { return .success(nil) }
            return .failure(Failure("cannot open \(stateDir) (errno \(errno))"))
        }
        defer { close(sfd) }
        if let problem = unsafe(sfd) { return .failure(Failure("\(stateDir) \(problem)")) }
        if create {
            if mkdirat(sfd, "pins", 0o700) != 0 && errno != EEXIST {
                return .failure(Failure("cannot create \(directory) (errno \(errno))"))
            }
        }
        let dfd = openat(sfd, "pins", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if dfd < 0 {
            if errno == ENOENT && !create { return .success(nil) }
            return .failure(Failure("cannot open \(directory) (errno \(errno))"))
        }
        defer { close(dfd) }
        if let problem = unsafe(dfd, privateDir: true) { return .failure(Failure("\(directory) \(problem)")) }
        return body(dfd).map { Optional($0) }
    }

    func unsafe(_ fd: Int32, privateDir: Bool = false) -> String? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return "cannot be examined" }
        if UInt32(st.st_uid) != owner { return "is owned by uid \(st.st_uid), must be owned by root" }
        let mode = UInt32(st.st_mode) & 0o7777
        if mode & 0o022 != 0 { return "is writable by group or others (mode \(SafeFile.octal(mode)))" }
        if privateDir && mode & 0o077 != 0 { return "is accessible by group or others (mode \(SafeFile.octal(mode)), must be 0700)" }
        return nil
    }

    /// nil when the file does not exist.
    func read(_ dfd: Int32, name: String, account: String) -> Result<Pin?, Failure> {
        let fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return .success(nil) }
            return .failure(Failure("cannot open the pin of \(account) (errno \(errno))"))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            return .failure(Failure("the pin of \(account) is not a regular file"))
        }
        guard UInt32(st.st_uid) == owner, UInt32(st.st_mode) & 0o022 == 0 else {
            return .failure(Failure("the pin of \(account) has an unsafe owner or mode"))
        }
        guard Int(st.st_size) <= PinStore.maxFileBytes else { return .failure(Failure("the pin of \(account) is too large")) }
        var buffer = [UInt8](repeating: 0, count: PinStore.maxFileBytes + 1)
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return Glibc.read(fd, base + total, raw.count - total)
            }
            if n < 0 { if errno == EINTR { continue }; return .failure(Failure("cannot read the pin of \(account)")) }
            if n == 0 { break }
            total += n
        }
        guard total <= PinStore.maxFileBytes, let pin = PinStore.parse(Array(buffer.prefix(total)), account: account) else {
            return .failure(Failure("the pin of \(account) is damaged; remove it with: jcfed pins reset \(account)"))
        }
        return .success(pin)
    }
}
