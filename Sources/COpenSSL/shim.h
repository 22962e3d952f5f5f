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

static inline const char *jcfed_ossl_rsa_n(void) { return OSSL_PKEY_PARAM_RSA_N; }
static inline const char *jcfed_ossl_rsa_e(void) { return OSSL_PKEY_PARAM_RSA_E; }
static inline const char *jcfed_ossl_group_name(void) { return OSSL_PKEY_PARAM_GROUP_NAME; }
static inline const char *jcfed_ossl_pub_key(void) { return OSSL_PKEY_PARAM_PUB_KEY; }
static inline const char *jcfed_ossl_prime256v1(void) { return SN_X9_62_prime256v1; }
static inline int jcfed_evp_pkey_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
