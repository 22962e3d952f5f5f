import CPAM
import JCFedCore
import JCFedSystem
import JCFedCurl
import JCFedCrypto
import JCFedQR
#if canImport(Glibc)
import Glibc
#endif

/// One call into the module: the PAM handle, its conversation and log, and the mapping of an
/// Outcome to the PAM code a sysadmin expects (pam_jcfed(8), RETURN VALUES).
final class PAMSession {
    let pamh: OpaquePointer
    let log: PAMSyslog
    let silent: Bool
    private var prompter: PAMConversation?

    init(pamh: OpaquePointer, log: PAMSyslog, silent: Bool) {
        self.pamh = pamh
        self.log = log
        self.silent = silent
    }

    /// The PAM user; nil when the host has none and the conversation cannot give one.
    func user() -> String? {
        var name: UnsafePointer<CChar>?
        guard pam_get_user(pamh, &name, nil) == PAM_SUCCESS, let n = name else { return nil }
        let s = String(cString: n)
        return s.isEmpty ? nil : s
    }

    func environment() -> LoginEnvironment {
        LoginEnvironment(
            log: log,
            clock: SystemClock(),
            users: SystemUserDatabase(),
            prompter: conversation(),
            makeTransport: { settings in CurlTransport(settings: settings) },
            makeVerifier: { OpenSSLVerifier() },
            base64URLBlocks: SIMDBase64URLBlocks(),
            makeQR: { text in LibQREncode.render(text) },
            storage: SystemStorage(owner: 0),
            hostName: PAMSession.hostName,
            random: SystemRandom.seed,
            deviceIdentity: {
                let id = MachineIdentity.read()
                return id.isEmpty ? PAMSession.hostName() : id
            },
            configMemory: PAMConfigMemory(pamh: pamh),
            notFederatedMemo: SystemNotFederatedMemo())
    }

    /// gethostname(2): the machine's name as the person knows it (what sshd and login show).
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let rc = buffer.withUnsafeMutableBufferPointer { b -> Int32 in
            guard let base = b.baseAddress else { return -1 }
            return gethostname(base, b.count - 1)
        }
        guard rc == 0 else { return "" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func conversation() -> PAMConversation? {
        var convPtr: UnsafePointer<pam_conv>?
        guard jcfed_pam_get_conv(pamh, &convPtr) == PAM_SUCCESS, let conv = convPtr?.pointee,
              conv.conv != nil else { return nil }
        return PAMConversation(conv: conv, isTerminal: onTerminal())
    }

    /// A terminal session (console, ssh with a pty) can show a QR code; a display manager cannot.
    private func onTerminal() -> Bool {
        var service: UnsafePointer<CChar>?
        if jcfed_pam_get_service(pamh, &service) == PAM_SUCCESS, let s = service {
            let name = String(cString: s)
            if ["gdm-password", "gdm-autologin", "lightdm", "sddm", "xdm", "gdm"].contains(name) { return false }
        }
        var tty: UnsafePointer<CChar>?
        if jcfed_pam_get_tty(pamh, &tty) == PAM_SUCCESS, let t = tty {
            let name = String(cString: t)
            if name.startsWithASCII(":") { return false }  // an X display, not a terminal
            return true
        }
        // sshd sets PAM_TTY to "ssh" during auth; a host with no tty info still gets the text.
        return true
    }

    func finish(_ outcome: Outcome, stage: String) -> Int32 {
        let code = PAMSession.value(outcome.reason.pamCode)
        if let message = outcome.userMessage, !silent, let p = environmentPrompter() {
            _ = outcome.kind == .success || outcome.kind == .ignore ? p.info(message) : p.error(message)
        }
        let level: LogLevel
        switch outcome.kind {
        case .success: level = .info
        case .ignore: level = .debug
        case .serviceError, .bufError: level = .err
        case .unavailable: level = .err
        default: level = .notice
        }
        if !outcome.adminDetail.isEmpty { log.log(level, outcome.adminDetail) }
        let doneLevel: LogLevel = outcome.kind == .ignore ? .debug : .info
        if log.wants(doneLevel) {
            log.log(doneLevel, "\(stage) done: user=\(SafeText.field(user())) result=\(outcome.kind.rawValue) reason=\(outcome.reason)")
        }
        return code
    }

    private func environmentPrompter() -> PAMConversation? {
        if prompter == nil { prompter = conversation() }
        return prompter
    }

    /// libpam's value for a code of the catalogue (Outcome.swift, pam_jcfed(8) RETURN VALUES).
    static func value(_ code: PAMCode) -> Int32 {
        switch code {
        case .success: return PAM_SUCCESS
        case .ignore: return PAM_IGNORE
        case .userUnknown: return PAM_USER_UNKNOWN
        case .serviceError: return PAM_SERVICE_ERR
        case .authInfoUnavailable: return PAM_AUTHINFO_UNAVAIL
        case .authError: return PAM_AUTH_ERR
        case .convError: return PAM_CONV_ERR
        case .bufError: return PAM_BUF_ERR
        case .accountExpired: return PAM_ACCT_EXPIRED
        case .permissionDenied: return PAM_PERM_DENIED
        }
    }
}
