/* A tiny NSS module for the integration tests: user lookups by name that ignore ASCII case, the
 * way sssd (case_sensitive = false), winbind and other directories answer. It is loaded through
 * nss_wrapper (NSS_WRAPPER_MODULE_SO_PATH, NSS_WRAPPER_MODULE_FN_PREFIX=casefold), which asks it
 * before its own passwd file, and it reads the passwd file named by JCFED_CASEFOLD_PASSWD. So
 * getpwnam("ALICE") returns the entry of "alice", with pw_name "alice": the typed name and the
 * canonical account name differ, as they do on such systems. Test-only; never installed. */
#define _GNU_SOURCE
#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum nss_status _nss_casefold_getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t buflen,
                                         int *errnop) {
    const char *path = getenv("JCFED_CASEFOLD_PASSWD");
    if (!path || !name) return NSS_STATUS_UNAVAIL;
    FILE *f = fopen(path, "re");
    if (!f) return NSS_STATUS_UNAVAIL;
    struct passwd *result = NULL;
    enum nss_status status = NSS_STATUS_NOTFOUND;
    int rc;
    while ((rc = fgetpwent_r(f, pwd, buf, buflen, &result)) == 0) {
        if (strcasecmp(pwd->pw_name, name) == 0) { status = NSS_STATUS_SUCCESS; break; }
    }
    if (rc == ERANGE) { *errnop = ERANGE; status = NSS_STATUS_TRYAGAIN; }
    fclose(f);
    return status;
}

enum nss_status _nss_casefold_getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen, int *errnop) {
    (void)uid; (void)pwd; (void)buf; (void)buflen; (void)errnop;
    return NSS_STATUS_NOTFOUND;
}
