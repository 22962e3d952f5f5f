// pam_swift_floor: what any PAM module written in Swift pays before its own code runs (bench
// row 1). Not installed: `make bench` builds it as a product of its own with the module's exact
// link (the static Swift runtime and standard library, the same C shim with its pam_sm_* entry
// points and argv hook, CMath, the version script, -z now/relro/nodelete), and bench/bench.py
// runs it where row 1 runs pam_jcfed. Its own code is as little as a not-federated decision can
// be: the PAM user looked up in NSS, then PAM_IGNORE. No String, no Array, no metadata: so the
// difference between its row and pam_permit's is the image (the runtime's and the standard
// library's relocations, initializers and pages), and the difference between jcfed's row and its
// row is jcfed's own.
import CPAM
import Glibc

@_cdecl("jcfed_pam_dispatch")
public func jcfed_pam_dispatch(_ entry: Int32, _ pamh: OpaquePointer?, _ flags: Int32,
                               _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    // 1 = authenticate, 3 = acct_mgmt (pam_jcfed_shim.c's numbers); the rest is not asked for.
    guard let pamh = pamh else { return PAM_SERVICE_ERR }
    guard entry == 1 || entry == 3 else { return PAM_IGNORE }
    var user: UnsafePointer<CChar>?
    guard pam_get_user(pamh, &user, nil) == PAM_SUCCESS, let name = user else { return PAM_USER_UNKNOWN }
    var account = passwd()
    var found: UnsafeMutablePointer<passwd>?
    let size = 1024
    let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
    defer { buffer.deallocate() }
    guard getpwnam_r(name, &account, buffer, size, &found) == 0, found != nil else { return PAM_USER_UNKNOWN }
    return PAM_IGNORE
}
