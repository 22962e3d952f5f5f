#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Discovery documents and JWK Sets cached under `idp.cache_dir`, one file per URL, so that
/// most logins make no request before the device code. The directory is created 0700 and must
/// be owned by root (the configuration owner); files are written atomically (AtomicReplace) and read
/// with the SafeFile rules. A file older than 24 h, from the future, for another URL, or damaged
/// counts as missing: the caller fetches and overwrites it.
///
/// File format: `jcfed-cache 1\n<fetched at, epoch seconds>\n<url>\n` then the body as served.
/// Keeping the URL in the file guards against two URLs sharing a file name.
public final class MetadataCache {
    public static let lifetimeSeconds: Int64 = 86_400
    /// At most one forced JWKS refresh (unknown `kid`) per URL in this many seconds, across processes.
    public static let forcedRefreshSpacingSeconds: Int64 = 60
    static let magic = "jcfed-cache 1"
    static let maxFileBytes = 512 * 1024
    /// Clock skew tolerated on a file's time before it is treated as bogus.
    static let futureToleranceSeconds: Int64 = 300

    public let directory: String
    let owner: UInt32

    private init(directory: String, owner: UInt32) {
        self.directory = directory
        self.owner = owner
    }

    /// The cache in `directory`, created when missing; failure says why it cannot be used (the
    /// login then goes to the network every time).
    public static func open(directory: String, owner: UInt32) -> Result<MetadataCache, DiscoveryCacheProblem> {
        switch CacheDirectory.prepare(directory, owner: owner) {
        case .failure(let p): return .failure(DiscoveryCacheProblem(description: p.description, isUnsafe: p.isUnsafe))
        case .success: return .success(MetadataCache(directory: directory, owner: owner))
        }
    }

    /// The cached body for `url` when it is younger than the lifetime.
    public func read(url: String, now: Int64) -> [UInt8]? {
        let path = directory + "/" + MetadataCache.fileName(for: url)
        guard case .success(let bytes) = SafeFile.read(path, rules: .init(owner: owner, maxBytes: MetadataCache.maxFileBytes)),
              let entry = MetadataCache.decode(bytes), entry.url == url else { return nil }
        guard entry.fetchedAt <= now + MetadataCache.futureToleranceSeconds,
              now - entry.fetchedAt < MetadataCache.lifetimeSeconds else { return nil }
        return entry.body
    }

    /// Stores `body` for `url`; false when it could not be written (not fatal).
    @discardableResult
    public func write(url: String, body: [UInt8], now: Int64) -> Bool {
        let bytes = MetadataCache.encode(url: url, fetchedAt: now, body: body)
        guard bytes.count <= MetadataCache.maxFileBytes else { return false }
        if case .success = AtomicReplace.write(directory + "/" + MetadataCache.fileName(for: url), bytes, mode: 0o600) {
            return true
        }
        return false
    }

    /// True when this process may re-fetch `url` now because a token named an unknown key, and
    /// records the time; false when another refresh happened less than a minute ago (or is
    /// being recorded right now by another process). An attacker who sends tokens with random
    /// `kid`s thus cannot turn logins into a flood of requests to the IdP.
    public func claimForcedRefresh(url: String, now: Int64) -> Bool {
        let path = directory + "/" + MetadataCache.fileName(for: url) + ".refresh"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG),
              UInt32(st.st_uid) == owner, UInt32(st.st_mode) & 0o022 == 0 else { return false }
        // Held only while the time is read and written, never during the fetch.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self)
        if let last = Int64(text.trimmingSpaces.split(separator: "\n").first.map(String.init) ?? "") {
            let recent = now - last < MetadataCache.forcedRefreshSpacingSeconds
            // A time far in the future means the clock was set back: do not stay locked out.
            let bogus = last > now + MetadataCache.futureToleranceSeconds
            if recent && !bogus { return false }
        }
        let stamp = Array((String(now) + "\n").utf8)
        guard ftruncate(fd, 0) == 0 else { return false }
        let written = stamp.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return written == stamp.count
    }

    // MARK: file names and format

    /// A readable, safe file name for a URL: its host and path with anything but
    /// `[A-Za-z0-9.-]` as `_`, capped, plus a 64-bit FNV-1a hash of the whole URL.
    public static func fileName(for url: String) -> String {
        var readable = url
        if readable.hasPrefix("https://") { readable = String(readable.dropFirst("https://".count)) }
        let cleaned = String(readable.unicodeScalars.prefix(80).map { u -> Character in
            let v = u.value
            let ok = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x2D || v == 0x2E
            return ok ? Character(u) : "_"
        })
        let hex = String(fnv1a64(Array(url.utf8)), radix: 16)
        return cleaned + "-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".json"
    }

    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    struct Entry: Equatable {
        var url: String
        var fetchedAt: Int64
        var body: [UInt8]
    }

    static func encode(url: String, fetchedAt: Int64, body: [UInt8]) -> [UInt8] {
        Array("\(magic)\n\(fetchedAt)\n\(url)\n".utf8) + body
    }

    static func decode(_ bytes: [UInt8]) -> Entry? {
        var lines: [String] = []
        var start = 0
        var i = 0
        while lines.count < 3 && i < bytes.count {
            if bytes[i] == 0x0A {
                guard let line = String(validating: bytes[start..<i], as: UTF8.self) else { return nil }
                lines.append(line)
                start = i + 1
            }
            i += 1
        }
        guard lines.count == 3, lines.first == magic, let fetched = lines.dropFirst().first.flatMap({ Int64($0) }),
              let url = lines.last else { return nil }
        return Entry(url: url, fetchedAt: fetched, body: Array(bytes[start...]))
    }
}

/// Why the cache directory cannot be used; logged, never fatal.
public struct DiscoveryCacheProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// The directory exists and others could change it (see CacheDirectory.Problem.isUnsafe).
    public var isUnsafe = false
}
