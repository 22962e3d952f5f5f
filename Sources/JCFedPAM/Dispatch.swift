import CPAM
import JCFedCore
import JCFedCurl
import JCFedCrypto

/// The PAM entry points (called by the C shim), as the one place where PAM meets the core.
/// Nothing here throws or traps: every path returns a PAM code.
enum PAMEntryPoint: Int32 {
    case authenticate = 1, setcred, acctMgmt, openSession, closeSession, chauthtok
}

@_cdecl("jcfed_pam_dispatch")
public func jcfed_pam_dispatch(_ entry: Int32, _ pamh: OpaquePointer?, _ flags: Int32,
                               _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    guard let pamh = pamh, let entry = PAMEntryPoint(rawValue: entry) else { return PAM_SERVICE_ERR }
    switch entry {
    case .setcred:
        // No credentials of our own to establish (no tickets, no keys).
        return PAM_SUCCESS
    case .openSession, .closeSession:
        return PAM_IGNORE
    case .chauthtok:
        // Passwords of federated users live in the IdP; the next module handles local ones.
        return PAM_IGNORE
    case .authenticate, .acctMgmt:
        let args = ModuleArguments(arguments(argc, argv))
        let log = PAMSyslog(pamh: pamh, debug: args.debug)
        for unknown in args.unknown {
            log.log(.err, "unrecognized option [\(unknown)]")
        }
        let session = PAMSession(pamh: pamh, log: log, silent: flags & Int32(PAM_SILENT) != 0)
        let outcome: Outcome
        if entry == .authenticate {
            outcome = ModuleStage.authenticate(args: args, environment: session.environment(), pamUser: session.user())
        } else {
            outcome = ModuleStage.account(args: args, environment: session.environment(), pamUser: session.user())
        }
        return session.finish(outcome, stage: entry == .authenticate ? "auth" : "account")
    }
}

private func arguments(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> [String] {
    guard let argv = argv, argc > 0, argc < 256 else { return [] }
    var out: [String] = []
    for i in 0..<Int(argc) {
        if let a = argv[i] { out.append(String(cString: a)) }
    }
    return out
}
