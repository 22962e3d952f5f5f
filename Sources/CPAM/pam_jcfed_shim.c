/*
 * pam_jcfed: the only symbols this module exports (see pam/pam_jcfed.map): all six pam_sm_*,
 * because the module provides every module type (session and password return PAM_IGNORE, as
 * pam_jcfed(8) MODULE TYPES PROVIDED says; a missing one would be PAM_MODULE_UNKNOWN, a failure
 * under `required`).
 *
 * Each entry point forwards to the Swift core (JCFedPAM, @_cdecl("jcfed_pam_dispatch")), which
 * never throws across this boundary and always returns a PAM code.
 */
#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_modules.h>

/* Which entry point is calling; mirrored by JCFedPAM.PAMEntryPoint. */
enum jcfed_entry {
    JCFED_AUTHENTICATE = 1,
    JCFED_SETCRED = 2,
    JCFED_ACCT_MGMT = 3,
    JCFED_OPEN_SESSION = 4,
    JCFED_CLOSE_SESSION = 5,
    JCFED_CHAUTHTOK = 6,
};

extern int jcfed_pam_dispatch(int entry, pam_handle_t *pamh, int flags, int argc, const char **argv);

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    return jcfed_pam_dispatch(JCFED_AUTHENTICATE, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    return jcfed_pam_dispatch(JCFED_SETCRED, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    return jcfed_pam_dispatch(JCFED_ACCT_MGMT, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    return jcfed_pam_dispatch(JCFED_OPEN_SESSION, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    return jcfed_pam_dispatch(JCFED_CLOSE_SESSION, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    return jcfed_pam_dispatch(JCFED_CHAUTHTOK, pamh, flags, argc, argv);
}
