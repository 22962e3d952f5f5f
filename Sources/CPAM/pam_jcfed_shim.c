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

/* The entry points and the number each passes to jcfed_pam_dispatch, in one list: the numbers are
 * JCFedPAM.PAMEntryPoint's raw values. */
#define JCFED_PAM_ENTRY_POINTS(X) \
    X(pam_sm_authenticate, 1)     \
    X(pam_sm_setcred, 2)          \
    X(pam_sm_acct_mgmt, 3)        \
    X(pam_sm_open_session, 4)     \
    X(pam_sm_close_session, 5)    \
    X(pam_sm_chauthtok, 6)

extern int jcfed_pam_dispatch(int entry, pam_handle_t *pamh, int flags, int argc, const char **argv);

#define JCFED_DEFINE_ENTRY_POINT(name, number)                                     \
    PAM_EXTERN int name(pam_handle_t *pamh, int flags, int argc, const char **argv) { \
        return jcfed_pam_dispatch(number, pamh, flags, argc, argv);                \
    }

JCFED_PAM_ENTRY_POINTS(JCFED_DEFINE_ENTRY_POINT)
