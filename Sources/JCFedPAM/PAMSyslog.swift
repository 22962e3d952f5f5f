import CPAM
import JCFedCore

/// Admin log lines through pam_syslog (LOG_AUTHPRIV, prefixed with module and service).
/// LOG_DEBUG lines only with the `debug` argument. Every line goes through SafeText.line at this
/// edge: one line, no control, bidi or invisible characters, capped, whatever was interpolated.
final class PAMSyslog: LogSink {
    private let pamh: OpaquePointer
    var debug: Bool

    init(pamh: OpaquePointer, debug: Bool) {
        self.pamh = pamh
        self.debug = debug
    }

    /// Whether a line at `level` is written: callers skip building a LOG_DEBUG line nobody reads
    /// (the not-federated path ends with two of them).
    func wants(_ level: LogLevel) -> Bool { level != .debug || debug }

    func log(_ level: LogLevel, _ message: String) {
        if !wants(level) { return }
        // withCString: the native string's own bytes, not a copy into a new array (every line).
        SafeText.line(message).withCString { jcfed_pam_syslog(pamh, level.rawValue | LOG_AUTHPRIV, $0) }
    }
}
