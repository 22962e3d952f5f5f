#include "jcfed_environment.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern char **environ;

/* Read by libcurl 7.88 (SSLKEYLOGFILE, CURL_SSL_BACKEND, HOME for .netrc), libcrypto 3.0
 * (OPENSSL_CONF, OPENSSL_CONF_INCLUDE, OPENSSL_MODULES, OPENSSL_ENGINES, OPENSSL_ia32cap,
 * SSL_CERT_FILE, SSL_CERT_DIR, CTLOG_FILE, RANDFILE, HOME) and glibc 2.36's resolver
 * (LOCALDOMAIN, RES_OPTIONS, HOSTALIASES, RESOLV_HOST_CONF and the other RESOLV_*). The curl tool's
 * CURL_CA_BUNDLE and CURL_HOME are included although libcurl itself does not read them. */
static const char *const exact[] = {
    "SSLKEYLOGFILE", "LOCALDOMAIN", "RES_OPTIONS", "HOSTALIASES", "CTLOG_FILE", "RANDFILE", "HOME",
};
/* Every variable that starts with one of these (case-sensitive). GNUTLS_ and P11_KIT_: GnuTLS
 * 3.7 and p11-kit are loaded with libcurl (its LDAP support links them) and run constructors
 * that read their variables; the module uses neither, and no caller's value reaches them. */
static const char *const prefixes[] = { "CURL_", "OPENSSL_", "SSL_", "RESOLV_", "KRB5", "GNUTLS_", "P11_KIT_" };

/* Added to the scrubbed copy: GnuTLS's library constructor then skips gnutls_global_init(), which
 * parses its ASN.1 tables and sets up its crypto back end in every process that loads libcurl
 * (about 0.7 M instructions and 0.7 MB of memory a login; bench/results.md, round 9). The module
 * never calls GnuTLS; libldap, the one user, initialises it explicitly. GnuTLS reads the
 * variable with secure_getenv: in su and sudo (AT_SECURE) it is ignored and the constructor
 * runs as before. Writable storage, as environ entries are char *. */
static char gnutls_no_implicit_init[] = "GNUTLS_NO_IMPLICIT_INIT=1";
/* Every variable that ends with this, in any case: http_proxy, HTTPS_PROXY, ALL_PROXY,
 * no_proxy, NO_PROXY, socks_proxy, ... */
static const char proxy_suffix[] = "_proxy";

int jcfed_env_is_scrubbed(const char *entry) {
    if (!entry) return 0;
    const char *eq = strchr(entry, '=');
    size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        if (strlen(exact[i]) == len && memcmp(entry, exact[i], len) == 0) return 1;
    }
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t p = strlen(prefixes[i]);
        if (len >= p && memcmp(entry, prefixes[i], p) == 0) return 1;
    }
    size_t s = sizeof proxy_suffix - 1;
    if (len >= s && strncasecmp(entry + len - s, proxy_suffix, s) == 0) return 1;
    return 0;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long depth;
static char **callers;   /* the caller's environ while a scope is open */
static char **scrubbed;  /* the copy installed while depth > 0 */
static char **retired;   /* the last copy, freed at the next begin (see the header) */

int jcfed_env_scrub_begin(void) {
    pthread_mutex_lock(&lock);
    if (depth == 0) {
        free(retired);
        retired = NULL;
        size_t n = 0;
        if (environ) while (environ[n]) n++;
        char **copy = calloc(n + 2, sizeof *copy);
        if (!copy) {
            pthread_mutex_unlock(&lock);
            return 0;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!jcfed_env_is_scrubbed(environ[i])) copy[k++] = environ[i];
        }
        copy[k++] = gnutls_no_implicit_init;
        copy[k] = NULL;
        callers = environ;
        scrubbed = copy;
        environ = copy;
    }
    depth++;
    pthread_mutex_unlock(&lock);
    return 1;
}

void jcfed_env_scrub_end(void) {
    pthread_mutex_lock(&lock);
    if (depth > 0 && --depth == 0) {
        environ = callers;
        callers = NULL;
        retired = scrubbed;
        scrubbed = NULL;
    }
    pthread_mutex_unlock(&lock);
}
