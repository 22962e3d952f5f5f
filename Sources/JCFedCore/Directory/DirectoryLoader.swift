#if canImport(Glibc)
import Glibc
#endif

/// Reads mapping.directory for a login: SafeFile rules (no symlink, owned by root, not writable by
/// group or others, at most 32 MB), strict parse, staleness against mapping.directory_max_age.
///
/// A missing file is not an error: the device then has no directory and mapping uses the
/// configured fallback. An unsafe, unreadable or malformed file is an error (PAM_SERVICE_ERR):
/// guessing around a broken directory could map or route someone the admin did not intend.
public enum DirectoryLoader {
    /// nil when no directory file exists (mapping then uses the fallback).
    public static func load(settings: MappingSettings, now: Int64, owner: UInt32 = 0) -> Result<Directory?, ConfigError> {
        let path = settings.directory
        let bytes: [UInt8]
        switch SafeFile.read(path, rules: .init(owner: owner, maxBytes: DirectoryFile.maxBytes)) {
        case .failure(.missing): return .success(nil)
        case .failure(let f): return .failure(ConfigError(path: path, key: "mapping.directory", problem: path + " " + f.description))
        case .success(let b): bytes = b
        }
        var directory: Directory
        switch DirectoryFile.parse(bytes) {
        case .failure(let e):
            return .failure(ConfigError(path: path, key: "mapping.directory", problem: path + " " + e.problem))
        case .success(let d): directory = d
        }
        directory.modifiedAt = modificationTime(path) ?? 0
        stamp(&directory, settings: settings, now: now)
        return .success(directory)
    }

    /// Sets age and staleness. A directory_max_age of 0 means "never stale".
    public static func stamp(_ d: inout Directory, settings: MappingSettings, now: Int64) {
        d.ageSeconds = max(0, now - d.dataTime)
        d.isStale = settings.directoryMaxAge > 0 && d.ageSeconds > Int64(settings.directoryMaxAge)
    }

    static func modificationTime(_ path: String) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec)
    }
}
