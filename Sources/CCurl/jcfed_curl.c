#include "jcfed_curl.h"
#include "jcfed_environment.h"
#include <dlfcn.h>
#include <pthread.h>

/* Resolved once; a PAM host may call the module from several threads, hence pthread_once. */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    int loaded;
} fns;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static int resolve(void *h) {
#define SYM(field, name) do { *(void **)(&fns.field) = dlsym(h, name); if (!fns.field) return 0; } while (0)
    SYM(global_init, "curl_global_init");
    SYM(easy_init, "curl_easy_init");
    SYM(easy_cleanup, "curl_easy_cleanup");
    SYM(easy_reset, "curl_easy_reset");
    SYM(easy_perform, "curl_easy_perform");
    SYM(easy_strerror, "curl_easy_strerror");
    SYM(easy_setopt, "curl_easy_setopt");
    SYM(easy_getinfo, "curl_easy_getinfo");
    SYM(slist_append, "curl_slist_append");
    SYM(slist_free_all, "curl_slist_free_all");
#undef SYM
    return 1;
}

/* libcurl and the libraries it pulls in (libssl, libcrypto) are loaded and initialised in a
 * scrubbed environment: curl_global_init is where libcurl 7.88 opens SSLKEYLOGFILE and OpenSSL
 * reads OPENSSL_CONF (see jcfed_environment.h). Done here, so no later curl_easy_init does it. */
static void load(void) {
    if (!jcfed_env_scrub_begin()) return;
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (h && resolve(h) && fns.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) fns.loaded = 1;
    jcfed_env_scrub_end();
}

int jcfed_curl_load(void) {
    pthread_once(&once, load);
    return fns.loaded;
}

CURL *jcfed_curl_easy_init(void) {
    if (!jcfed_curl_load() || !jcfed_env_scrub_begin()) return NULL;
    CURL *h = fns.easy_init();
    jcfed_env_scrub_end();
    return h;
}
void jcfed_curl_easy_cleanup(CURL *h) { if (h && fns.loaded) fns.easy_cleanup(h); }
void jcfed_curl_easy_reset(CURL *h) { if (h && fns.loaded) fns.easy_reset(h); }
/* Every request runs in the scrubbed environment: libcurl reads the proxy variables per request,
 * and its resolver thread reads LOCALDOMAIN, RES_OPTIONS and HOSTALIASES per lookup. */
CURLcode jcfed_curl_easy_perform(CURL *h) {
    if (!fns.loaded) return CURLE_FAILED_INIT;
    if (!jcfed_env_scrub_begin()) return CURLE_OUT_OF_MEMORY;
    CURLcode rc = fns.easy_perform(h);
    jcfed_env_scrub_end();
    return rc;
}
const char *jcfed_curl_easy_strerror(CURLcode c) { return fns.loaded ? fns.easy_strerror(c) : "libcurl not loaded"; }
CURLcode jcfed_curl_setopt_long(CURL *h, CURLoption o, long v) { return fns.loaded ? fns.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return fns.loaded ? fns.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return fns.loaded ? fns.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return fns.loaded ? fns.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return fns.loaded ? fns.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_setopt_write(CURL *h, size_t (*fn)(char *, size_t, size_t, void *), void *ctx) {
    if (!fns.loaded) return CURLE_FAILED_INIT;
    CURLcode rc = fns.easy_setopt(h, CURLOPT_WRITEFUNCTION, fn);
    return rc != CURLE_OK ? rc : fns.easy_setopt(h, CURLOPT_WRITEDATA, ctx);
}
CURLcode jcfed_curl_setopt_header(CURL *h, size_t (*fn)(char *, size_t, size_t, void *), void *ctx) {
    if (!fns.loaded) return CURLE_FAILED_INIT;
    CURLcode rc = fns.easy_setopt(h, CURLOPT_HEADERFUNCTION, fn);
    return rc != CURLE_OK ? rc : fns.easy_setopt(h, CURLOPT_HEADERDATA, ctx);
}
CURLcode jcfed_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return fns.loaded ? fns.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode jcfed_curl_getinfo_str(CURL *h, CURLINFO i, const char **v) { return fns.loaded ? fns.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
struct curl_slist *jcfed_curl_slist_append(struct curl_slist *l, const char *s) { return fns.loaded ? fns.slist_append(l, s) : NULL; }
void jcfed_curl_slist_free_all(struct curl_slist *l) { if (fns.loaded) fns.slist_free_all(l); }
