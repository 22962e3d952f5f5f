#ifndef JCFED_CURL_H
#define JCFED_CURL_H
/*
 * libcurl, loaded on first use.
 *
 * Why dlopen and not a link: libcurl's dependency tree (krb5, ldap, ssh2, ...) costs ~10 ms and
 * ~6 MB in every process that loads pam_jcfed.so, federated user or not (measured on Debian 12:
 * bench/results.md, row 1). Loading it only when a request is made keeps the
 * not-federated path close to pam_permit. The library stays loaded once opened.
 *
 * Library initialisation and every request run in a scrubbed environment (jcfed_environment.h,
 * in COpenSSL): no variable of the calling process steers libcurl, OpenSSL or the resolver.
 *
 * The typed setters also exist because curl_easy_setopt/getinfo are variadic (Swift cannot call them).
 */
#include <curl/curl.h>
#include <stddef.h>

/* 1 when libcurl is loaded (loading it if needed), 0 when it cannot be. */
int jcfed_curl_load(void);

CURL *jcfed_curl_easy_init(void);
void jcfed_curl_easy_cleanup(CURL *h);
void jcfed_curl_easy_reset(CURL *h);
CURLcode jcfed_curl_easy_perform(CURL *h);
const char *jcfed_curl_easy_strerror(CURLcode c);
CURLcode jcfed_curl_setopt_long(CURL *h, CURLoption opt, long value);
CURLcode jcfed_curl_setopt_str(CURL *h, CURLoption opt, const char *value);
CURLcode jcfed_curl_setopt_ptr(CURL *h, CURLoption opt, void *value);
CURLcode jcfed_curl_setopt_off(CURL *h, CURLoption opt, curl_off_t value);
CURLcode jcfed_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *value);
CURLcode jcfed_curl_setopt_write(CURL *h, size_t (*fn)(char *, size_t, size_t, void *), void *ctx);
CURLcode jcfed_curl_setopt_header(CURL *h, size_t (*fn)(char *, size_t, size_t, void *), void *ctx);
CURLcode jcfed_curl_getinfo_long(CURL *h, CURLINFO info, long *value);
/* CURLINFO_CAINFO / CURLINFO_CAPATH: libcurl's built-in defaults (7.84+); NULL when it has none. */
CURLcode jcfed_curl_getinfo_str(CURL *h, CURLINFO info, const char **value);
struct curl_slist *jcfed_curl_slist_append(struct curl_slist *list, const char *s);
void jcfed_curl_slist_free_all(struct curl_slist *list);

#endif
