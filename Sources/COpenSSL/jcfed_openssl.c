#include "jcfed_openssl.h"
#include "jcfed_environment.h"
#include "jcfed_loader.h"

#include <string.h>

/* Every libcrypto function the module uses; all must resolve or none is used (jcfed_loader.h). */
#define JCFED_CRYPTO_SYMBOLS(X) \
    X(ERR_clear_error) X(BN_bin2bn) X(BN_new) X(BN_free) X(BN_bn2binpad) X(BN_ucmp) X(BN_num_bits) \
    X(BN_CTX_new) X(BN_CTX_free) X(BN_MONT_CTX_new) X(BN_MONT_CTX_set) X(BN_MONT_CTX_free) X(BN_mod_exp_mont) \
    X(BIO_new_mem_buf) X(BIO_free) \
    X(PEM_read_bio_PrivateKey) X(ECDSA_SIG_new) X(ECDSA_SIG_free) X(ECDSA_SIG_set0) \
    X(i2d_ECDSA_SIG) X(OSSL_PARAM_BLD_new) X(OSSL_PARAM_BLD_free) X(OSSL_PARAM_BLD_push_BN) \
    X(OSSL_PARAM_BLD_push_utf8_string) X(OSSL_PARAM_BLD_push_octet_string) \
    X(OSSL_PARAM_BLD_to_param) X(OSSL_PARAM_free) X(EVP_PKEY_CTX_new_from_name) \
    X(EVP_PKEY_CTX_new_from_pkey) X(EVP_PKEY_CTX_free) X(EVP_PKEY_fromdata_init) \
    X(EVP_PKEY_fromdata) X(EVP_PKEY_public_check) X(EVP_PKEY_CTX_set_rsa_padding) \
    X(EVP_PKEY_CTX_set_rsa_mgf1_md) X(EVP_PKEY_CTX_set_rsa_pss_saltlen) X(EVP_PKEY_free) \
    X(EVP_PKEY_get_size) X(EVP_PKEY_is_a) X(EVP_PKEY_get0_provider) X(OSSL_PROVIDER_get0_name) \
    X(EVP_sha256) X(EVP_sha384) X(EVP_sha512) \
    X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_MD_fetch) X(EVP_MD_free) X(EVP_Digest) \
    X(EVP_PKEY_verify_init) X(EVP_PKEY_CTX_set_signature_md) X(EVP_PKEY_verify) \
    X(EVP_DigestSignInit) X(EVP_DigestSign) X(OPENSSL_init_crypto)

JCFED_LOADER(JCFED_CRYPTO_SYMBOLS)

/* Loaded and initialised (its configuration file read) in a scrubbed environment, so that the
 * caller's OPENSSL_CONF, OPENSSL_MODULES, OPENSSL_ENGINES, OPENSSL_ia32cap, ... have no effect
 * (see jcfed_environment.h). */
static void load(void) {
    struct jcfed_table t = {0};
    if (!jcfed_env_scrub_begin()) return;
    if (jcfed_resolve(&t, "libcrypto.so.3") && t.OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) == 1) {
        t.loaded = 1;
        fns = t;
    }
    jcfed_env_scrub_end();
}

int jcfed_crypto_load(void) {
    pthread_once(&jcfed_loader_once, load);
    return fns.loaded;
}

int jcfed_crypto_probe(const char *soname) {
    struct jcfed_table t = {0};
    if (!soname || !jcfed_env_scrub_begin()) return 0;
    int ok = jcfed_resolve(&t, soname);
    jcfed_env_scrub_end();
    return ok;
}

/* Calls `name` when loaded, else evaluates to `fallback`. */
#define CALL(fallback, name, ...) (jcfed_crypto_load() ? fns.name(__VA_ARGS__) : (fallback))
#define CALL_VOID(name, ...) do { if (jcfed_crypto_load()) fns.name(__VA_ARGS__); } while (0)

void jcfed_ERR_clear_error(void) { if (jcfed_crypto_load()) fns.ERR_clear_error(); }

BIGNUM *jcfed_BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret) { return CALL(NULL, BN_bin2bn, s, len, ret); }
BIGNUM *jcfed_BN_new(void) { return jcfed_crypto_load() ? fns.BN_new() : NULL; }
void jcfed_BN_free(BIGNUM *a) { CALL_VOID(BN_free, a); }
int jcfed_BN_bn2binpad(const BIGNUM *a, unsigned char *to, int tolen) { return CALL(-1, BN_bn2binpad, a, to, tolen); }
/* Negative, zero or positive as |a| is below, equal to or above |b| (not only -1 and 1: OpenSSL
 * may return a difference of lengths); 0 when libcrypto is absent, so that neither "below" nor
 * "above" holds. Both arguments must be non-NULL (BN_ucmp reads them). */
int jcfed_BN_ucmp(const BIGNUM *a, const BIGNUM *b) { return CALL(0, BN_ucmp, a, b); }
int jcfed_BN_num_bits(const BIGNUM *a) { return CALL(0, BN_num_bits, a); }
BN_CTX *jcfed_BN_CTX_new(void) { return jcfed_crypto_load() ? fns.BN_CTX_new() : NULL; }
void jcfed_BN_CTX_free(BN_CTX *c) { CALL_VOID(BN_CTX_free, c); }
BN_MONT_CTX *jcfed_BN_MONT_CTX_new(void) { return jcfed_crypto_load() ? fns.BN_MONT_CTX_new() : NULL; }
int jcfed_BN_MONT_CTX_set(BN_MONT_CTX *mont, const BIGNUM *mod, BN_CTX *ctx) { return CALL(0, BN_MONT_CTX_set, mont, mod, ctx); }
void jcfed_BN_MONT_CTX_free(BN_MONT_CTX *mont) { CALL_VOID(BN_MONT_CTX_free, mont); }
int jcfed_BN_mod_exp_mont(BIGNUM *r, const BIGNUM *a, const BIGNUM *p, const BIGNUM *m, BN_CTX *ctx, BN_MONT_CTX *m_ctx) {
    return CALL(0, BN_mod_exp_mont, r, a, p, m, ctx, m_ctx);
}

BIO *jcfed_BIO_new_mem_buf(const void *buf, int len) { return CALL(NULL, BIO_new_mem_buf, buf, len); }
int jcfed_BIO_free(BIO *a) { return CALL(0, BIO_free, a); }
EVP_PKEY *jcfed_PEM_read_bio_PrivateKey(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u) {
    return CALL(NULL, PEM_read_bio_PrivateKey, bp, x, cb, u);
}

ECDSA_SIG *jcfed_ECDSA_SIG_new(void) { return jcfed_crypto_load() ? fns.ECDSA_SIG_new() : NULL; }
void jcfed_ECDSA_SIG_free(ECDSA_SIG *sig) { CALL_VOID(ECDSA_SIG_free, sig); }
int jcfed_ECDSA_SIG_set0(ECDSA_SIG *sig, BIGNUM *r, BIGNUM *s) { return CALL(0, ECDSA_SIG_set0, sig, r, s); }
int jcfed_i2d_ECDSA_SIG(const ECDSA_SIG *sig, unsigned char **pp) { return CALL(-1, i2d_ECDSA_SIG, sig, pp); }

OSSL_PARAM_BLD *jcfed_OSSL_PARAM_BLD_new(void) { return jcfed_crypto_load() ? fns.OSSL_PARAM_BLD_new() : NULL; }
void jcfed_OSSL_PARAM_BLD_free(OSSL_PARAM_BLD *bld) { CALL_VOID(OSSL_PARAM_BLD_free, bld); }
int jcfed_OSSL_PARAM_BLD_push_BN(OSSL_PARAM_BLD *bld, const char *key, const BIGNUM *bn) {
    return CALL(0, OSSL_PARAM_BLD_push_BN, bld, key, bn);
}
int jcfed_OSSL_PARAM_BLD_push_utf8_string(OSSL_PARAM_BLD *bld, const char *key, const char *buf, size_t bsize) {
    return CALL(0, OSSL_PARAM_BLD_push_utf8_string, bld, key, buf, bsize);
}
int jcfed_OSSL_PARAM_BLD_push_octet_string(OSSL_PARAM_BLD *bld, const char *key, const void *buf, size_t bsize) {
    return CALL(0, OSSL_PARAM_BLD_push_octet_string, bld, key, buf, bsize);
}
OSSL_PARAM *jcfed_OSSL_PARAM_BLD_to_param(OSSL_PARAM_BLD *bld) { return CALL(NULL, OSSL_PARAM_BLD_to_param, bld); }
void jcfed_OSSL_PARAM_free(OSSL_PARAM *p) { CALL_VOID(OSSL_PARAM_free, p); }

EVP_PKEY_CTX *jcfed_EVP_PKEY_CTX_new_from_name(OSSL_LIB_CTX *libctx, const char *name, const char *propquery) {
    return CALL(NULL, EVP_PKEY_CTX_new_from_name, libctx, name, propquery);
}
EVP_PKEY_CTX *jcfed_EVP_PKEY_CTX_new_from_pkey(OSSL_LIB_CTX *libctx, EVP_PKEY *pkey, const char *propquery) {
    return CALL(NULL, EVP_PKEY_CTX_new_from_pkey, libctx, pkey, propquery);
}
void jcfed_EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx) { CALL_VOID(EVP_PKEY_CTX_free, ctx); }
int jcfed_EVP_PKEY_fromdata_init(EVP_PKEY_CTX *ctx) { return CALL(0, EVP_PKEY_fromdata_init, ctx); }
int jcfed_EVP_PKEY_fromdata(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey, int selection, OSSL_PARAM params[]) {
    return CALL(0, EVP_PKEY_fromdata, ctx, ppkey, selection, params);
}
int jcfed_EVP_PKEY_public_check(EVP_PKEY_CTX *ctx) { return CALL(0, EVP_PKEY_public_check, ctx); }
int jcfed_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int pad_mode) {
    return CALL(0, EVP_PKEY_CTX_set_rsa_padding, ctx, pad_mode);
}
int jcfed_EVP_PKEY_CTX_set_rsa_mgf1_md(EVP_PKEY_CTX *ctx, const EVP_MD *md) {
    return CALL(0, EVP_PKEY_CTX_set_rsa_mgf1_md, ctx, md);
}
int jcfed_EVP_PKEY_CTX_set_rsa_pss_saltlen(EVP_PKEY_CTX *ctx, int saltlen) {
    return CALL(0, EVP_PKEY_CTX_set_rsa_pss_saltlen, ctx, saltlen);
}
void jcfed_EVP_PKEY_free(EVP_PKEY *pkey) { CALL_VOID(EVP_PKEY_free, pkey); }
int jcfed_EVP_PKEY_get_size(const EVP_PKEY *pkey) { return CALL(0, EVP_PKEY_get_size, pkey); }
int jcfed_EVP_PKEY_is_a(const EVP_PKEY *pkey, const char *name) { return CALL(0, EVP_PKEY_is_a, pkey, name); }
int jcfed_EVP_PKEY_is_from_default_provider(const EVP_PKEY *pkey) {
    if (!pkey || !jcfed_crypto_load()) return 0;
    const OSSL_PROVIDER *provider = fns.EVP_PKEY_get0_provider(pkey);
    const char *name = provider ? fns.OSSL_PROVIDER_get0_name(provider) : NULL;
    return name != NULL && strcmp(name, "default") == 0;
}

const EVP_MD *jcfed_EVP_sha256(void) { return jcfed_crypto_load() ? fns.EVP_sha256() : NULL; }
const EVP_MD *jcfed_EVP_sha384(void) { return jcfed_crypto_load() ? fns.EVP_sha384() : NULL; }
const EVP_MD *jcfed_EVP_sha512(void) { return jcfed_crypto_load() ? fns.EVP_sha512() : NULL; }
EVP_MD_CTX *jcfed_EVP_MD_CTX_new(void) { return jcfed_crypto_load() ? fns.EVP_MD_CTX_new() : NULL; }
void jcfed_EVP_MD_CTX_free(EVP_MD_CTX *ctx) { CALL_VOID(EVP_MD_CTX_free, ctx); }
EVP_MD *jcfed_EVP_MD_fetch(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties) {
    return CALL(NULL, EVP_MD_fetch, ctx, algorithm, properties);
}
void jcfed_EVP_MD_free(EVP_MD *md) { CALL_VOID(EVP_MD_free, md); }
int jcfed_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type,
                     ENGINE *impl) {
    return CALL(0, EVP_Digest, data, count, md, size, type, impl);
}
int jcfed_EVP_PKEY_verify_init(EVP_PKEY_CTX *ctx) { return CALL(0, EVP_PKEY_verify_init, ctx); }
int jcfed_EVP_PKEY_CTX_set_signature_md(EVP_PKEY_CTX *ctx, const EVP_MD *md) {
    return CALL(0, EVP_PKEY_CTX_set_signature_md, ctx, md);
}
int jcfed_EVP_PKEY_verify(EVP_PKEY_CTX *ctx, const unsigned char *sig, size_t siglen,
                          const unsigned char *tbs, size_t tbslen) {
    return CALL(-1, EVP_PKEY_verify, ctx, sig, siglen, tbs, tbslen);
}
int jcfed_EVP_DigestSignInit(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e, EVP_PKEY *pkey) {
    return CALL(0, EVP_DigestSignInit, ctx, pctx, type, e, pkey);
}
int jcfed_EVP_DigestSign(EVP_MD_CTX *ctx, unsigned char *sigret, size_t *siglen,
                         const unsigned char *tbs, size_t tbslen) {
    return CALL(0, EVP_DigestSign, ctx, sigret, siglen, tbs, tbslen);
}
