#include "jcfed_curl.h"
#include <dlfcn.h>
#include <pthread.h>

/* Resolved once; a PAM host may call the module from several threads, hence pthread_once. */
static struct {
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

static void load(void) {
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!h) return;
#define SYM(field, name) do { *(void **)(&fns.field) = dlsym(h, name); if (!fns.field) return; } while (0)
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
    fns.loaded = 1;
}

int jcfed_curl_load(void) {
    pthread_once(&once, load);
    return fns.loaded;
}

CURL *jcfed_curl_easy_init(void) { return jcfed_curl_load() ? fns.easy_init() : NULL; }
void jcfed_curl_easy_cleanup(CURL *h) { if (h && fns.loaded) fns.easy_cleanup(h); }
void jcfed_curl_easy_reset(CURL *h) { if (h && fns.loaded) fns.easy_reset(h); }
CURLcode jcfed_curl_easy_perform(CURL *h) { return fns.loaded ? fns.easy_perform(h) : CURLE_FAILED_INIT; }
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
struct curl_slist *jcfed_curl_slist_append(struct curl_slist *l, const char *s) { return fns.loaded ? fns.slist_append(l, s) : NULL; }
void jcfed_curl_slist_free_all(struct curl_slist *l) { if (fns.loaded) fns.slist_free_all(l); }
