#ifndef JCFED_OPENSSL_H
#define JCFED_OPENSSL_H
/*
 * OpenSSL 3 (libcrypto), loaded on first use.
 *
 * Why dlopen and not a link: loading libcrypto costs every process that loads pam_jcfed.so about
 * 1.4 MB of RSS and its relocation time, although only a federated login verifies a signature
 * (measured with bench/bench.py, row 1). The library stays loaded once opened (RTLD_NODELETE).
 *
 * The module calls OpenSSL only through the jcfed_* functions below. Each one fails closed when
 * libcrypto cannot be loaded or lacks a symbol: constructors return NULL, checks return 0 (or -1
 * where OpenSSL's own error value is negative), frees do nothing. A signature then never
 * verifies. The OpenSSL headers are included for types and constants only: the module is linked
 * with --no-undefined and without -lcrypto, so a direct OpenSSL call fails the link.
 *
 * The static inline helpers exist for what Swift cannot call (macros) and for parameter names
 * that must outlive the call (OSSL_PARAM_BLD keeps the pointer).
 */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/provider.h>

static inline const char *jcfed_ossl_rsa_n(void) { return OSSL_PKEY_PARAM_RSA_N; }
static inline const char *jcfed_ossl_rsa_e(void) { return OSSL_PKEY_PARAM_RSA_E; }
static inline const char *jcfed_ossl_group_name(void) { return OSSL_PKEY_PARAM_GROUP_NAME; }
static inline const char *jcfed_ossl_pub_key(void) { return OSSL_PKEY_PARAM_PUB_KEY; }
static inline const char *jcfed_ossl_prime256v1(void) { return SN_X9_62_prime256v1; }
static inline int jcfed_evp_pkey_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }
// Key type names for EVP_PKEY_CTX_new_from_name, as literals for the same reason as above.
static inline const char *jcfed_ossl_name_rsa(void) { return "RSA"; }
static inline const char *jcfed_ossl_name_ec(void) { return "EC"; }
// Digest names for EVP_MD_fetch.
static inline const char *jcfed_ossl_name_sha256(void) { return "SHA2-256"; }
static inline const char *jcfed_ossl_name_sha384(void) { return "SHA2-384"; }
static inline const char *jcfed_ossl_name_sha512(void) { return "SHA2-512"; }
// PEM password callback that refuses: an encrypted key must fail, never prompt on the tty of
// the PAM host (OpenSSL's default callback would read the terminal).
static inline int jcfed_pem_no_password(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u;
    return 0;
}
static inline pem_password_cb *jcfed_pem_no_password_cb(void) { return jcfed_pem_no_password; }

/* 1 when libcrypto is loaded with every symbol below (loading it if needed), 0 when it cannot be. */
int jcfed_crypto_load(void);
/* Tests: 1 when the library `soname` opens and has every symbol below. Leaves the module's own
 * table alone (the library, if opened, stays loaded). */
int jcfed_crypto_probe(const char *soname);

void jcfed_ERR_clear_error(void);

BIGNUM *jcfed_BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret);
BIGNUM *jcfed_BN_new(void);
void jcfed_BN_free(BIGNUM *a);
int jcfed_BN_bn2binpad(const BIGNUM *a, unsigned char *to, int tolen);
int jcfed_BN_ucmp(const BIGNUM *a, const BIGNUM *b);
int jcfed_BN_num_bits(const BIGNUM *a);
BN_CTX *jcfed_BN_CTX_new(void);
void jcfed_BN_CTX_free(BN_CTX *c);
BN_MONT_CTX *jcfed_BN_MONT_CTX_new(void);
int jcfed_BN_MONT_CTX_set(BN_MONT_CTX *mont, const BIGNUM *mod, BN_CTX *ctx);
void jcfed_BN_MONT_CTX_free(BN_MONT_CTX *mont);
int jcfed_BN_mod_exp_mont(BIGNUM *r, const BIGNUM *a, const BIGNUM *p, const BIGNUM *m, BN_CTX *ctx, BN_MONT_CTX *m_ctx);

BIO *jcfed_BIO_new_mem_buf(const void *buf, int len);
int jcfed_BIO_free(BIO *a);
EVP_PKEY *jcfed_PEM_read_bio_PrivateKey(BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u);

ECDSA_SIG *jcfed_ECDSA_SIG_new(void);
void jcfed_ECDSA_SIG_free(ECDSA_SIG *sig);
int jcfed_ECDSA_SIG_set0(ECDSA_SIG *sig, BIGNUM *r, BIGNUM *s);
int jcfed_i2d_ECDSA_SIG(const ECDSA_SIG *sig, unsigned char **pp);

OSSL_PARAM_BLD *jcfed_OSSL_PARAM_BLD_new(void);
void jcfed_OSSL_PARAM_BLD_free(OSSL_PARAM_BLD *bld);
int jcfed_OSSL_PARAM_BLD_push_BN(OSSL_PARAM_BLD *bld, const char *key, const BIGNUM *bn);
int jcfed_OSSL_PARAM_BLD_push_utf8_string(OSSL_PARAM_BLD *bld, const char *key, const char *buf, size_t bsize);
int jcfed_OSSL_PARAM_BLD_push_octet_string(OSSL_PARAM_BLD *bld, const char *key, const void *buf, size_t bsize);
OSSL_PARAM *jcfed_OSSL_PARAM_BLD_to_param(OSSL_PARAM_BLD *bld);
void jcfed_OSSL_PARAM_free(OSSL_PARAM *p);

EVP_PKEY_CTX *jcfed_EVP_PKEY_CTX_new_from_name(OSSL_LIB_CTX *libctx, const char *name, const char *propquery);
EVP_PKEY_CTX *jcfed_EVP_PKEY_CTX_new_from_pkey(OSSL_LIB_CTX *libctx, EVP_PKEY *pkey, const char *propquery);
void jcfed_EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx);
int jcfed_EVP_PKEY_fromdata_init(EVP_PKEY_CTX *ctx);
int jcfed_EVP_PKEY_fromdata(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey, int selection, OSSL_PARAM params[]);
int jcfed_EVP_PKEY_public_check(EVP_PKEY_CTX *ctx);
int jcfed_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int pad_mode);
int jcfed_EVP_PKEY_CTX_set_rsa_mgf1_md(EVP_PKEY_CTX *ctx, const EVP_MD *md);
int jcfed_EVP_PKEY_CTX_set_rsa_pss_saltlen(EVP_PKEY_CTX *ctx, int saltlen);
void jcfed_EVP_PKEY_free(EVP_PKEY *pkey);
int jcfed_EVP_PKEY_get_size(const EVP_PKEY *pkey);
int jcfed_EVP_PKEY_is_a(const EVP_PKEY *pkey, const char *name);
/* 1 when the key is held by OpenSSL's "default" provider (not "fips" or another one named by
 * openssl.cnf); 0 otherwise, or without libcrypto. */
int jcfed_EVP_PKEY_is_from_default_provider(const EVP_PKEY *pkey);

const EVP_MD *jcfed_EVP_sha256(void);
const EVP_MD *jcfed_EVP_sha384(void);
const EVP_MD *jcfed_EVP_sha512(void);
EVP_MD_CTX *jcfed_EVP_MD_CTX_new(void);
void jcfed_EVP_MD_CTX_free(EVP_MD_CTX *ctx);
EVP_MD *jcfed_EVP_MD_fetch(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties);
void jcfed_EVP_MD_free(EVP_MD *md);
int jcfed_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type,
                     ENGINE *impl);
int jcfed_EVP_PKEY_verify_init(EVP_PKEY_CTX *ctx);
int jcfed_EVP_PKEY_CTX_set_signature_md(EVP_PKEY_CTX *ctx, const EVP_MD *md);
int jcfed_EVP_PKEY_verify(EVP_PKEY_CTX *ctx, const unsigned char *sig, size_t siglen,
                          const unsigned char *tbs, size_t tbslen);
int jcfed_EVP_DigestSignInit(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e, EVP_PKEY *pkey);
int jcfed_EVP_DigestSign(EVP_MD_CTX *ctx, unsigned char *sigret, size_t *siglen,
                         const unsigned char *tbs, size_t tbslen);

#endif
