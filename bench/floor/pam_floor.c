/*
 * pam_floor: the floor a C implementation of a warm-cache jcfed login would have (bench row 2).
 * Not installed, not a product: bench/bench.py builds it and logs in with it
 * side by side with pam_jcfed in the same run.
 *
 * pam_sm_authenticate does what a warm-cache jcfed login does on the wire and in libcrypto, and
 * nothing else: one libcurl easy handle (so one TLS connection), the same TLS settings (verified
 * peer and host, ca_file plus the hashed /etc/ssl/certs, https only, no proxy, timeouts), POST
 * devicecode, show the code and wait for Enter (one conversation message each), POST token, then
 * the ID token's RS256 signature verified with libcrypto against the keys of a small file (the
 * cached JWK Set's n and e in hex, one `NHEX:EHEX` line per key; each is tried: a pam.d line is
 * too short for them). No claim checks, no cache files, no configuration file.
 *
 * Arguments: devicecode=URL token=URL client_id=ID ca_file=PATH keys=PATH
 * pam_sm_acct_mgmt returns PAM_SUCCESS.
 */
#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#include <security/pam_modules.h>
#include <security/pam_appl.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf { char data[65536]; size_t len; };

static size_t sink(char *p, size_t size, size_t n, void *ctx) {
    struct buf *b = ctx;
    size_t len = size * n;
    if (b->len + len >= sizeof b->data) return 0;
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = 0;
    return len;
}

static const char *arg(int argc, const char **argv, const char *name) {
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
    return NULL;
}

/* The string value of "name" in a flat JSON object (no escapes in the values we read). */
static int json_string(const char *json, const char *name, char *out, size_t size) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\"", name);
    const char *p = strstr(json, key);
    if (!p) return 0;
    p = strchr(p + strlen(key), '"');
    if (!p) return 0;
    const char *end = strchr(p + 1, '"');
    if (!end || (size_t)(end - p - 1) >= size) return 0;
    memcpy(out, p + 1, end - p - 1);
    out[end - p - 1] = 0;
    return 1;
}

static int post(CURL *h, const char *url, const char *body, const char *ca_file, struct buf *out) {
    out->len = 0;
    out->data[0] = 0;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    return curl_easy_perform(h) == CURLE_OK;
}

static int converse(pam_handle_t *pamh, int style, const char *text) {
    const struct pam_conv *conv;
    if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS || !conv || !conv->conv) return 0;
    struct pam_message m = { style, text };
    const struct pam_message *mp = &m;
    struct pam_response *r = NULL;
    int rc = conv->conv(1, &mp, &r, conv->appdata_ptr);
    if (r) { free(r->resp); free(r); }
    return rc == PAM_SUCCESS;
}

static size_t b64url_decode(const char *in, size_t len, unsigned char *out) {
    unsigned v = 0; int bits = 0; size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i]; int d;
        if (c >= 'A' && c <= 'Z') d = c - 'A';
        else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
        else if (c >= '0' && c <= '9') d = c - '0' + 52;
        else if (c == '-') d = 62;
        else if (c == '_') d = 63;
        else return 0;
        v = (v << 6) | (unsigned)d; bits += 6;
        if (bits >= 8) { bits -= 8; out[n++] = (unsigned char)(v >> bits); }
    }
    return n;
}

static int verify_rs256(const char *token, const char *jwk) {
    char n_hex[2048];
    const char *colon = strchr(jwk, ':');
    if (!colon || (size_t)(colon - jwk) >= sizeof n_hex) return 0;
    memcpy(n_hex, jwk, colon - jwk);
    n_hex[colon - jwk] = 0;
    const char *e_hex = colon + 1;
    const char *dot2 = strrchr(token, '.');
    if (!dot2) return 0;
    unsigned char sig[1024];
    size_t siglen = b64url_decode(dot2 + 1, strlen(dot2 + 1), sig);
    BIGNUM *n = NULL, *e = NULL;
    EVP_PKEY *key = NULL;
    int ok = 0;
    BN_hex2bn(&n, n_hex);
    BN_hex2bn(&e, e_hex);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (kctx && EVP_PKEY_fromdata_init(kctx) == 1 && EVP_PKEY_fromdata(kctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1
             && EVP_DigestVerify(md, sig, siglen, (const unsigned char *)token, (size_t)(dot2 - token)) == 1;
        EVP_MD_CTX_free(md);
    }
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(kctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return ok;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    (void)flags;
    const char *dc_url = arg(argc, argv, "devicecode"), *tok_url = arg(argc, argv, "token");
    const char *client = arg(argc, argv, "client_id"), *ca = arg(argc, argv, "ca_file");
    const char *keys = arg(argc, argv, "keys");
    if (!dc_url || !tok_url || !client || !ca || !keys) return PAM_SERVICE_ERR;
    static struct buf reply;
    char body[4096], device_code[2048], user_code[64], text[256], id_token[16384];
    int rc = PAM_AUTH_ERR;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return PAM_SERVICE_ERR;
    CURL *h = curl_easy_init();
    if (!h) return PAM_SERVICE_ERR;
    snprintf(body, sizeof body, "client_id=%s&scope=openid%%20profile%%20email", client);
    if (!post(h, dc_url, body, ca, &reply) || !json_string(reply.data, "device_code", device_code, sizeof device_code)
        || !json_string(reply.data, "user_code", user_code, sizeof user_code)) goto out;
    snprintf(text, sizeof text, "To sign in, open the verification page and enter the code %s", user_code);
    if (!converse(pamh, PAM_TEXT_INFO, text) || !converse(pamh, PAM_PROMPT_ECHO_ON, "Press Enter when done: ")) goto out;
    snprintf(body, sizeof body, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code"
             "&client_id=%s&device_code=%s", client, device_code);
    if (!post(h, tok_url, body, ca, &reply) || !json_string(reply.data, "id_token", id_token, sizeof id_token)) goto out;
    FILE *f = fopen(keys, "r");
    char line[4096];
    while (f && rc != PAM_SUCCESS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (verify_rs256(id_token, line)) rc = PAM_SUCCESS;
    }
    if (f) fclose(f);
out:
    curl_easy_cleanup(h);
    return rc;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    (void)pamh; (void)flags; (void)argc; (void)argv;
    return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    (void)pamh; (void)flags; (void)argc; (void)argv;
    return PAM_SUCCESS;
}
