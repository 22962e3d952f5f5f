/* The typed wrappers below call the library through its table, not curl's type-checking macros. */
#define CURL_DISABLE_TYPECHECK
#include "jcfed_curl.h"
#include "jcfed_environment.h"
#include "jcfed_loader.h"

/* Every libcurl function the module uses; all must resolve or none is used (jcfed_loader.h). */
#define JCFED_CURL_SYMBOLS(X) \
    X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) X(curl_easy_reset) \
    X(curl_easy_perform) X(curl_easy_strerror) X(curl_easy_setopt) X(curl_easy_getinfo) \
    X(curl_slist_append) X(curl_slist_free_all)

JCFED_LOADER(JCFED_CURL_SYMBOLS)

/* libcurl and the libraries it pulls in (libssl, libcrypto) are loaded and initialised in a
 * scrubbed environment: curl_global_init is where libcurl 7.88 opens SSLKEYLOGFILE and OpenSSL
 * reads OPENSSL_CONF (see jcfed_environment.h). Done here, so no later curl_easy_init does it. */
static void load(void) {
    struct jcfed_table t = {0};
    if (!jcfed_env_scrub_begin()) return;
    if (jcfed_resolve(&t, "libcurl.so.4") && t.curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {
        t.loaded = 1;
        fns = t;
    }
    jcfed_env_scrub_end();
}

int jcfed_curl_load(void) {
    pthread_once(&jcfed_loader_once, load);
    return fns.loaded;
}

CURL *jcfed_curl_easy_init(void) {
    if (!jcfed_curl_load() || !jcfed_env_scrub_begin()) return NULL;
    CURL *h = fns.curl_easy_init();
    jcfed_env_scrub_end();
    return h;
}
void jcfed_curl_easy_cleanup(CURL *h) { if (h && fns.loaded) fns.curl_easy_cleanup(h); }
void jcfed_curl_easy_reset(CURL *h) { if (h && fns.loaded) fns.curl_easy_reset(h); }
/* Every request runs in the scrubbed environment: libcurl reads the proxy variables per request,
 * and its resolver thread reads LOCALDOMAIN, RES_OPTIONS and HOSTALIASES per lookup. */
CURLcode jcfed_curl_easy_perform(CURL *h) {
    if (!fns.loaded) return CURLE_FAILED_INIT;
    if (!jcfed_env_scrub_begin()) return CURLE_OUT_OF_MEMORY;
    CURLcode rc = fns.curl_easy_perform(h);
    jcfed_env_scrub_end();
    return rc;
}
const char *jcfed_curl_easy_strerror(CURLcode c) { return fns.loaded ? fns.curl_easy_strerror(c) : "libcurl not loaded"; }
CURLcode jcfed_curl_setopt_long(CURL *h, CURLoption o, long v) { return fns.loaded ? fns.curl_easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return fns.loaded ? fns.curl_easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return fns.loaded ? fns.curl_easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return fns.loaded ? fns.curl_easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return fns.loaded ? fns.curl_easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_write(CURL *h, size_t (*fn)(char *, size_t, size_t, void *), void *ctx) {
    if (!fns.loaded) return CURLE_FAILED_INIT;
    CURLcode rc = fns.curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fn);
    return rc != CURLE_OK ? rc : fns.curl_easy_setopt(h, CURLOPT_WRITEDATA, ctx);
}
CURLcode jcfed_curl_setopt_header(CURL *h, size_t (*fn)(char *, size_t, size_t, void *), void *ctx) {
    if (!fns.loaded) return CURLE_FAILED_INIT;
    CURLcode rc = fns.curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fn);
    return rc != CURLE_OK ? rc : fns.curl_easy_setopt(h, CURLOPT_HEADERDATA, ctx);
}
CURLcode jcfed_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return fns.loaded ? fns.curl_easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_getinfo_str(CURL *h, CURLINFO i, const char **v) { return fns.loaded ? fns.curl_easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
struct curl_slist *jcfed_curl_slist_append(struct curl_slist *l, const char *s) { return fns.loaded ? fns.curl_slist_append(l, s) : NULL; }
void jcfed_curl_slist_free_all(struct curl_slist *l) { if (fns.loaded) fns.curl_slist_free_all(l); }
