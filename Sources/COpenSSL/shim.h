#ifndef JCFED_COPENSSL_SHIM_H
#define JCFED_COPENSSL_SHIM_H
// OpenSSL 3 headers plus typed helpers for what Swift cannot call (macros, variadics) and for
// parameter names that must outlive the call (OSSL_PARAM_BLD keeps the pointer).
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

static inline const char *jcfed_ossl_rsa_n(void) { return OSSL_PKEY_PARAM_RSA_N; }
static inline const char *jcfed_ossl_rsa_e(void) { return OSSL_PKEY_PARAM_RSA_E; }
static inline const char *jcfed_ossl_group_name(void) { return OSSL_PKEY_PARAM_GROUP_NAME; }
static inline const char *jcfed_ossl_pub_key(void) { return OSSL_PKEY_PARAM_PUB_KEY; }
static inline const char *jcfed_ossl_prime256v1(void) { return SN_X9_62_prime256v1; }
static inline int jcfed_evp_pkey_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }
// Key type names for EVP_PKEY_CTX_new_from_name, as literals for the same reason as above.
static inline const char *jcfed_ossl_name_rsa(void) { return "RSA"; }
static inline const char *jcfed_ossl_name_ec(void) { return "EC"; }
// PEM password callback that refuses: an encrypted key must fail, never prompt on the tty of
// the PAM host (OpenSSL's default callback would read the terminal).
static inline int jcfed_pem_no_password(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u;
    return 0;
}
static inline pem_password_cb *jcfed_pem_no_password_cb(void) { return jcfed_pem_no_password; }
#endif
