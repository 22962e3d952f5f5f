/// Reads mapping.directory for a login through the storage's file rules (no symlink, owned by
/// root, not writable by group or others, at most 32 MB), strict parse, times not in the future, staleness against
/// mapping.directory_max_age.
///
/// A missing file is not an error: the device then has no directory and mapping uses the
/// configured fallback. An unsafe, unreadable or malformed file is an error (PAM_SERVICE_ERR):
/// guessing around a broken directory could map or route someone the admin did not intend.
public enum DirectoryLoader {
    /// nil when no directory file exists (mapping then uses the fallback).
    public static func load(settings: MappingSettings, now: Int64, storage: ModuleStorage) -> Result<Directory?, ConfigError> {
        let path = settings.directory
        let file: StoredFile
        switch storage.readFile(path, maxBytes: DirectoryFile.maxBytes, holdsSecret: false) {
        case .failure(.missing): return .success(nil)
        case .failure(let f): return .failure(ConfigError(path: path, key: "mapping.directory", problem: path + " " + f.description))
        case .success(let f): file = f
        }
        var directory: Directory
        switch DirectoryFile.parse(file.bytes) {
        case .failure(let e):
            return .failure(ConfigError(path: path, key: "mapping.directory", problem: path + " " + e.problem))
        case .success(let d): directory = d
        }
        if let problem = futureProblem(directory.metadata, now: now) {
            return .failure(ConfigError(path: path, key: "mapping.directory", problem: path + " " + problem))
        }
        directory.modifiedAt = file.modifiedAt
        directory.fileIdentity = file.identity
        stamp(&directory, settings: settings, now: now)
        return .success(directory)
    }

    /// How far a file's times may lie ahead of this clock (clocks of the admin host and the
    /// device disagree a little): beyond it, the time is not believed.
    public static let futureToleranceSeconds: Int64 = 300

    /// Why the directory's times cannot be believed: `synced_at` or `bindings_synced_at` later
    /// than now plus futureToleranceSeconds (a future time would pass the staleness check for
    /// as long as it likes). nil when they are fine.
    public static func futureProblem(_ m: DirectoryMetadata, now: Int64) -> String? {
        let (latest, overflow) = now.addingReportingOverflow(futureToleranceSeconds)
        for (name, t) in [("synced_at", m.syncedAt), ("bindings_synced_at", m.bindingsSyncedAt)] {
            if let t = t, !overflow, t > latest {
                return "says jcfed.\(name) \(t), \(t &- now) seconds after the current time (more than \(futureToleranceSeconds) s of clock difference): check the clocks and sync or import it again"
            }
        }
        return nil
    }

    /// Sets age and staleness. A directory_max_age of 0 means "never stale".
    public static func stamp(_ d: inout Directory, settings: MappingSettings, now: Int64) {
        d.ageSeconds = max(0, now - d.dataTime)
        d.isStale = settings.directoryMaxAge > 0 && d.ageSeconds > Int64(settings.directoryMaxAge)
    }}
