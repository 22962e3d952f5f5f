#ifndef JCFED_PAM_H
#define JCFED_PAM_H
// The PAM shim's header, for JCFedPAM: typed wrappers for the variadic libpam calls Swift cannot
// make directly, and the entry-point numbers pam_jcfed_shim.c passes to jcfed_pam_dispatch.
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <security/pam_ext.h>
#include <syslog.h>

/// pam_syslog is variadic: pass a preformatted message through "%s" so no user text is a format.
static inline void jcfed_pam_syslog(pam_handle_t *pamh, int priority, const char *message) {
    pam_syslog(pamh, priority, "%s", message);
}

/// pam_get_item returns a const void**; give Swift a typed view of the conversation.
static inline int jcfed_pam_get_conv(pam_handle_t *pamh, const struct pam_conv **conv) {
    return pam_get_item(pamh, PAM_CONV, (const void **)conv);
}

static inline int jcfed_pam_get_service(pam_handle_t *pamh, const char **service) {
    return pam_get_item(pamh, PAM_SERVICE, (const void **)service);
}

static inline int jcfed_pam_get_tty(pam_handle_t *pamh, const char **tty) {
    return pam_get_item(pamh, PAM_TTY, (const void **)tty);
}

static inline int jcfed_pam_get_rhost(pam_handle_t *pamh, const char **rhost) {
    return pam_get_item(pamh, PAM_RHOST, (const void **)rhost);
}
#endif
