/// Discovery documents and JWK Sets cached under `idp.cache_dir`, one file per URL, so that
/// most logins make no request before the device code. The folder is created 0700 and must be
/// owned by root and not writable by group or others; files are replaced atomically and read with
/// the module's file rules, all through the storage (ModuleStorage), relative to the folder as it
/// was opened and checked. A file older than its lifetime (24 h plus this device's spread of
/// 0-4 h, so a fleet's caches do not all expire at the same morning peak), from the future, for
/// another URL, or damaged counts as missing: the caller fetches and overwrites it. When that
/// fetch fails, the caller may still use a copy up to `maxStaleSeconds` old (readStale).
///
/// File format: `jcfed-cache 1\n<fetched at, epoch seconds>\n<url>\n` then the body as served.
/// Keeping the URL in the file guards against two URLs sharing a file name.
public final class MetadataCache {
    public static let lifetimeSeconds: Int64 = 86_400
    /// The per-device addition to the lifetime is 0 to this many seconds (4 h).
    public static let maxSpreadSeconds: Int64 = 14_400
    /// Default of idp.cache_max_stale (7 days).
    public static let defaultMaxStaleSeconds: Int64 = 604_800
    /// At most one forced JWKS refresh (unknown `kid`) per URL in this many seconds, across processes.
    public static let forcedRefreshSpacingSeconds: Int64 = 60
    static let magic = "jcfed-cache 1"
    static let maxFileBytes = 512 * 1024
    /// Clock skew tolerated on a file's time before it is treated as bogus.
    static let futureToleranceSeconds: Int64 = 300

    public let directory: String
    let folder: StorageFolder
    /// This device's addition to the lifetime (spreadSeconds(for:)).
    public let spreadSeconds: Int64
    /// How old a copy may be and still be used when a refresh fails (0: never past its lifetime).
    public let maxStaleSeconds: Int64

    private init(folder: StorageFolder, spreadSeconds: Int64, maxStaleSeconds: Int64) {
        self.directory = folder.path
        self.folder = folder
        self.spreadSeconds = spreadSeconds
        self.maxStaleSeconds = maxStaleSeconds
    }

    /// How long a fetched copy is used before it is fetched again on this device.
    public var softLifetimeSeconds: Int64 { MetadataCache.lifetimeSeconds + spreadSeconds }

    /// 0 to maxSpreadSeconds, fixed for a device identity (e.g. /etc/machine-id) and evenly spread
    /// over a fleet: a 64-bit FNV-1a hash, not a secret. An unknown identity ("") gets a fixed value.
    public static func spreadSeconds(for deviceIdentity: String) -> Int64 {
        let h = fnv1a64(Array(("jcfed-cache-spread\n" + deviceIdentity).utf8))
        return Int64(h % UInt64(maxSpreadSeconds + 1))
    }

    /// The cache in `directory`, created when missing; failure says why it cannot be used (the
    /// login then goes to the network every time).
    /// A folder that exists but that others could change (owner, mode, a symbolic link, not a
    /// folder) is `isUnsafe`: a login refuses it rather than going on without a cache.
    public static func open(directory: String, storage: ModuleStorage, deviceIdentity: String = "",
                            maxStaleSeconds: Int64 = defaultMaxStaleSeconds) -> Result<MetadataCache, DiscoveryCacheProblem> {
        switch storage.openFolder(directory, createMode: 0o700, privateToOwner: false) {
        case .failure(let r): return .failure(DiscoveryCacheProblem(description: "\(directory) \(r)", isUnsafe: r.isUnsafe))
        case .success(let folder):
            return .success(MetadataCache(folder: folder,
                                          spreadSeconds: spreadSeconds(for: deviceIdentity),
                                          maxStaleSeconds: max(0, maxStaleSeconds)))
        }
    }

    /// The cached body for `url` when it is younger than this device's lifetime.
    public func read(url: String, now: Int64) -> [UInt8]? {
        guard let entry = entry(url: url, now: now), now - entry.fetchedAt < softLifetimeSeconds else { return nil }
        return entry.body
    }

    /// The cached body for `url` and its age in seconds when it is younger than maxStaleSeconds,
    /// however old beyond its lifetime: for when a refresh failed and yesterday's copy beats none.
    public func readStale(url: String, now: Int64) -> (body: [UInt8], ageSeconds: Int64)? {
        guard let entry = entry(url: url, now: now) else { return nil }
        let age = max(0, now - entry.fetchedAt)
        guard age < max(maxStaleSeconds, softLifetimeSeconds) else { return nil }
        return (entry.body, age)
    }

    /// The file for `url`, when it is ours, intact, for that URL and not from the future.
    private func entry(url: String, now: Int64) -> Entry? {
        guard case .success(let file) = folder.read(MetadataCache.fileName(for: url), maxBytes: MetadataCache.maxFileBytes),
              let entry = MetadataCache.decode(file.bytes), entry.url == url,
              entry.fetchedAt <= now + MetadataCache.futureToleranceSeconds else { return nil }
        return entry
    }

    /// Stores `body` for `url`; false when it could not be written (not fatal).
    @discardableResult
    public func write(url: String, body: [UInt8], now: Int64) -> Bool {
        let bytes = MetadataCache.encode(url: url, fetchedAt: now, body: body)
        guard bytes.count <= MetadataCache.maxFileBytes else { return false }
        if case .success = folder.replace(MetadataCache.fileName(for: url), bytes) { return true }
        return false
    }

    /// True when this process may re-fetch `url` now because a token named an unknown key, and
    /// records the time; false when another refresh happened less than a minute ago (or is
    /// being recorded right now by another process). An attacker who sends tokens with random
    /// `kid`s thus cannot turn logins into a flood of requests to the IdP.
    ///
    /// The time is recorded when the claim is made, so that logins running at the same moment do
    /// not all fetch; when the fetch then fails, `releaseForcedRefresh` takes it back, so only a
    /// successful fetch blocks the next refresh for a minute.
    public func claimForcedRefresh(url: String, now: Int64) -> Bool {
        withRefreshStamp(url: url) { last in
            if let last = last {
                let recent = now - last < MetadataCache.forcedRefreshSpacingSeconds
                // A time far in the future means the clock was set back: do not stay locked out.
                let bogus = last > now + MetadataCache.futureToleranceSeconds
                if recent && !bogus { return nil }
            }
            return Array((String(now) + "\n").utf8)
        }
    }

    /// The refresh claimed at `claimedAt` failed: clears that time stamp (unless another claim
    /// has replaced it), so the next login may try again at once.
    public func releaseForcedRefresh(url: String, claimedAt: Int64) {
        _ = withRefreshStamp(url: url) { last in
            guard last == claimedAt else { return nil }
            return []
        }
    }

    /// Runs `body` with the time in the refresh stamp file of `url`, open and locked (held only
    /// while the time is read and written, never during the fetch); the file then holds what
    /// `body` returns (nil: unchanged, and the answer is false).
    private func withRefreshStamp(url: String, _ body: (Int64?) -> [UInt8]?) -> Bool {
        folder.updateLocked(MetadataCache.fileName(for: url) + ".refresh", maxBytes: 32) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            return body(Int64(text.trimmingSpaces().split(separator: "\n").first.map(String.init) ?? ""))
        }
    }

    // MARK: file names and format

    /// A readable, safe file name for a URL: its host and path with anything but
    /// `[A-Za-z0-9.-]` as `_`, capped, plus a 64-bit FNV-1a hash of the whole URL.
    /// Written byte by byte (each read and write of the cache names its file).
    public static func fileName(for url: String) -> String {
        var readable = Substring(url)
        if readable.startsWithASCII("https://") { readable = readable.dropFirst("https://".count) }
        var name: [UInt8] = []
        name.reserveCapacity(80 + 22)
        for u in readable.unicodeScalars.prefix(80) {
            let v = u.value
            let ok = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x2D || v == 0x2E
            name.append(ok ? UInt8(truncatingIfNeeded: v) : UInt8(ascii: "_"))
        }
        name.append(UInt8(ascii: "-"))
        let hash = fnv1a64(url.utf8)
        for shift in stride(from: 60, through: 0, by: -4) {
            let digit = UInt8(truncatingIfNeeded: (hash >> UInt64(shift)) & 0xf)
            name.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + (digit - 10))
        }
        name.append(contentsOf: ".json".utf8)
        return String(decoding: name, as: UTF8.self)
    }

    static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
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
    /// The folder exists and others could change it (FileRefusal.isUnsafe).
    public var isUnsafe = false
}
