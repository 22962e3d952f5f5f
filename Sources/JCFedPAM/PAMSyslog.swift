import CPAM
import JCFedCore

/// Admin log lines through pam_syslog (LOG_AUTHPRIV, prefixed with module and service).
/// LOG_DEBUG lines only with the `debug` argument.
final class PAMSyslog: LogSink {
    private let pamh: OpaquePointer
    var debug: Bool

    init(pamh: OpaquePointer, debug: Bool) {
        self.pamh = pamh
        self.debug = debug
    }

    func log(_ level: LogLevel, _ message: String) {
        if level == .debug && !debug { return }
        jcfed_pam_syslog(pamh, level.rawValue | LOG_AUTHPRIV, message)
    }
}
