#define _GNU_SOURCE /* lgamma_r, jn, yn */
#include <math.h>
#include "jcfed_libm.h"
#include "jcfed_loader.h"

/*
 * Why: the static standard library refers to these 107 libm functions, so the module used to
 * need libm.so.6, and every process that loads pam_jcfed.so (every sudo and ssh, federated user
 * or not) mapped and relocated it: ~10 page faults and 0.3 MB of RSS (bench/results.md, row 1).
 * A not-federated decision calls none of them; a federated login does (the standard library
 * sizes a Dictionary's storage with ceil()). The first call of any one loads libm like libcurl
 * and libcrypto (jcfed_loader.h); if libm cannot be loaded each returns NaN (and 0 through its
 * int pointer) instead of crashing the PAM host.
 * A Swift toolchain that refers to a function missing here fails the module's link
 * (--no-undefined): add it to the list below.
 * Compiled with -fno-builtin (Package.swift) so that the compiler treats these as plain
 * functions, not as the builtins they share names with.
 */
#define JCFED_LIBM_UNARY(X) \
    X(acosf) X(acoshf) X(acoshl) X(acosl) X(asinf) X(asinhf) X(asinhl) X(asinl) X(atanf) \
    X(atanhf) X(atanhl) X(atanl) X(cbrtf) X(cbrtl) X(ceil) X(ceilf) X(ceill) X(cos) X(cosf) \
    X(coshf) X(coshl) X(cosl) X(erfcf) X(erfcl) X(erff) X(erfl) X(exp) X(exp2) X(exp2f) \
    X(exp2l) X(expf) X(expl) X(expm1f) X(expm1l) X(floor) X(floorf) X(floorl) X(log) X(log10) \
    X(log10f) X(log10l) X(log1pf) X(log1pl) X(log2) X(log2f) X(log2l) X(logbf) X(logbl) X(logf) \
    X(logl) X(nearbyint) X(nearbyintf) X(nearbyintl) X(rint) X(rintf) X(rintl) X(round) \
    X(roundf) X(roundl) X(sin) X(sinf) X(sinhf) X(sinhl) X(sinl) X(sqrt) X(sqrtf) X(sqrtl) \
    X(tanf) X(tanhf) X(tanhl) X(tanl) X(tgammaf) X(tgammal) X(trunc) X(truncf) X(truncl)
#define JCFED_LIBM_BINARY(X) \
    X(atan2f) X(atan2l) X(fdimf) X(fdiml) X(fmaxl) X(fminl) X(fmod) X(fmodf) X(fmodl) X(hypotf) \
    X(hypotl) X(nextafterf) X(nextafterl) X(powf) X(powl) X(remainder) X(remainderf) \
    X(remainderl)
#define JCFED_LIBM_OTHER(X) \
    X(fma) X(fmaf) X(fmal) X(lgamma_r) X(lgammaf_r) X(lgammal_r) X(remquo) X(remquof) \
    X(remquol) X(jn) X(yn) X(nanf) X(nanl)
#define JCFED_LIBM_SYMBOLS(X) JCFED_LIBM_UNARY(X) JCFED_LIBM_BINARY(X) JCFED_LIBM_OTHER(X)

JCFED_LOADER(JCFED_LIBM_SYMBOLS)

/* libm reads no environment variable and needs no initialisation. */
static void load(void) {
    struct jcfed_table t = {0};
    if (jcfed_resolve(&t, "libm.so.6")) {
        t.loaded = 1;
        fns = t;
    }
}

int jcfed_libm_loaded(void) {
    pthread_once(&jcfed_loader_once, load);
    return fns.loaded;
}

float acosf(float x) { return jcfed_libm_loaded() ? fns.acosf(x) : (float)NAN; }
float acoshf(float x) { return jcfed_libm_loaded() ? fns.acoshf(x) : (float)NAN; }
long double acoshl(long double x) { return jcfed_libm_loaded() ? fns.acoshl(x) : (long double)NAN; }
long double acosl(long double x) { return jcfed_libm_loaded() ? fns.acosl(x) : (long double)NAN; }
float asinf(float x) { return jcfed_libm_loaded() ? fns.asinf(x) : (float)NAN; }
float asinhf(float x) { return jcfed_libm_loaded() ? fns.asinhf(x) : (float)NAN; }
long double asinhl(long double x) { return jcfed_libm_loaded() ? fns.asinhl(x) : (long double)NAN; }
long double asinl(long double x) { return jcfed_libm_loaded() ? fns.asinl(x) : (long double)NAN; }
float atanf(float x) { return jcfed_libm_loaded() ? fns.atanf(x) : (float)NAN; }
float atanhf(float x) { return jcfed_libm_loaded() ? fns.atanhf(x) : (float)NAN; }
long double atanhl(long double x) { return jcfed_libm_loaded() ? fns.atanhl(x) : (long double)NAN; }
long double atanl(long double x) { return jcfed_libm_loaded() ? fns.atanl(x) : (long double)NAN; }
float cbrtf(float x) { return jcfed_libm_loaded() ? fns.cbrtf(x) : (float)NAN; }
long double cbrtl(long double x) { return jcfed_libm_loaded() ? fns.cbrtl(x) : (long double)NAN; }
double ceil(double x) { return jcfed_libm_loaded() ? fns.ceil(x) : (double)NAN; }
float ceilf(float x) { return jcfed_libm_loaded() ? fns.ceilf(x) : (float)NAN; }
long double ceill(long double x) { return jcfed_libm_loaded() ? fns.ceill(x) : (long double)NAN; }
double cos(double x) { return jcfed_libm_loaded() ? fns.cos(x) : (double)NAN; }
float cosf(float x) { return jcfed_libm_loaded() ? fns.cosf(x) : (float)NAN; }
float coshf(float x) { return jcfed_libm_loaded() ? fns.coshf(x) : (float)NAN; }
long double coshl(long double x) { return jcfed_libm_loaded() ? fns.coshl(x) : (long double)NAN; }
long double cosl(long double x) { return jcfed_libm_loaded() ? fns.cosl(x) : (long double)NAN; }
float erfcf(float x) { return jcfed_libm_loaded() ? fns.erfcf(x) : (float)NAN; }
long double erfcl(long double x) { return jcfed_libm_loaded() ? fns.erfcl(x) : (long double)NAN; }
float erff(float x) { return jcfed_libm_loaded() ? fns.erff(x) : (float)NAN; }
long double erfl(long double x) { return jcfed_libm_loaded() ? fns.erfl(x) : (long double)NAN; }
double exp(double x) { return jcfed_libm_loaded() ? fns.exp(x) : (double)NAN; }
double exp2(double x) { return jcfed_libm_loaded() ? fns.exp2(x) : (double)NAN; }
float exp2f(float x) { return jcfed_libm_loaded() ? fns.exp2f(x) : (float)NAN; }
long double exp2l(long double x) { return jcfed_libm_loaded() ? fns.exp2l(x) : (long double)NAN; }
float expf(float x) { return jcfed_libm_loaded() ? fns.expf(x) : (float)NAN; }
long double expl(long double x) { return jcfed_libm_loaded() ? fns.expl(x) : (long double)NAN; }
float expm1f(float x) { return jcfed_libm_loaded() ? fns.expm1f(x) : (float)NAN; }
long double expm1l(long double x) { return jcfed_libm_loaded() ? fns.expm1l(x) : (long double)NAN; }
double floor(double x) { return jcfed_libm_loaded() ? fns.floor(x) : (double)NAN; }
float floorf(float x) { return jcfed_libm_loaded() ? fns.floorf(x) : (float)NAN; }
long double floorl(long double x) { return jcfed_libm_loaded() ? fns.floorl(x) : (long double)NAN; }
double log(double x) { return jcfed_libm_loaded() ? fns.log(x) : (double)NAN; }
double log10(double x) { return jcfed_libm_loaded() ? fns.log10(x) : (double)NAN; }
float log10f(float x) { return jcfed_libm_loaded() ? fns.log10f(x) : (float)NAN; }
long double log10l(long double x) { return jcfed_libm_loaded() ? fns.log10l(x) : (long double)NAN; }
float log1pf(float x) { return jcfed_libm_loaded() ? fns.log1pf(x) : (float)NAN; }
long double log1pl(long double x) { return jcfed_libm_loaded() ? fns.log1pl(x) : (long double)NAN; }
double log2(double x) { return jcfed_libm_loaded() ? fns.log2(x) : (double)NAN; }
float log2f(float x) { return jcfed_libm_loaded() ? fns.log2f(x) : (float)NAN; }
long double log2l(long double x) { return jcfed_libm_loaded() ? fns.log2l(x) : (long double)NAN; }
float logbf(float x) { return jcfed_libm_loaded() ? fns.logbf(x) : (float)NAN; }
long double logbl(long double x) { return jcfed_libm_loaded() ? fns.logbl(x) : (long double)NAN; }
float logf(float x) { return jcfed_libm_loaded() ? fns.logf(x) : (float)NAN; }
long double logl(long double x) { return jcfed_libm_loaded() ? fns.logl(x) : (long double)NAN; }
double nearbyint(double x) { return jcfed_libm_loaded() ? fns.nearbyint(x) : (double)NAN; }
float nearbyintf(float x) { return jcfed_libm_loaded() ? fns.nearbyintf(x) : (float)NAN; }
long double nearbyintl(long double x) { return jcfed_libm_loaded() ? fns.nearbyintl(x) : (long double)NAN; }
double rint(double x) { return jcfed_libm_loaded() ? fns.rint(x) : (double)NAN; }
float rintf(float x) { return jcfed_libm_loaded() ? fns.rintf(x) : (float)NAN; }
long double rintl(long double x) { return jcfed_libm_loaded() ? fns.rintl(x) : (long double)NAN; }
double round(double x) { return jcfed_libm_loaded() ? fns.round(x) : (double)NAN; }
float roundf(float x) { return jcfed_libm_loaded() ? fns.roundf(x) : (float)NAN; }
long double roundl(long double x) { return jcfed_libm_loaded() ? fns.roundl(x) : (long double)NAN; }
double sin(double x) { return jcfed_libm_loaded() ? fns.sin(x) : (double)NAN; }
float sinf(float x) { return jcfed_libm_loaded() ? fns.sinf(x) : (float)NAN; }
float sinhf(float x) { return jcfed_libm_loaded() ? fns.sinhf(x) : (float)NAN; }
long double sinhl(long double x) { return jcfed_libm_loaded() ? fns.sinhl(x) : (long double)NAN; }
long double sinl(long double x) { return jcfed_libm_loaded() ? fns.sinl(x) : (long double)NAN; }
double sqrt(double x) { return jcfed_libm_loaded() ? fns.sqrt(x) : (double)NAN; }
float sqrtf(float x) { return jcfed_libm_loaded() ? fns.sqrtf(x) : (float)NAN; }
long double sqrtl(long double x) { return jcfed_libm_loaded() ? fns.sqrtl(x) : (long double)NAN; }
float tanf(float x) { return jcfed_libm_loaded() ? fns.tanf(x) : (float)NAN; }
float tanhf(float x) { return jcfed_libm_loaded() ? fns.tanhf(x) : (float)NAN; }
long double tanhl(long double x) { return jcfed_libm_loaded() ? fns.tanhl(x) : (long double)NAN; }
long double tanl(long double x) { return jcfed_libm_loaded() ? fns.tanl(x) : (long double)NAN; }
float tgammaf(float x) { return jcfed_libm_loaded() ? fns.tgammaf(x) : (float)NAN; }
long double tgammal(long double x) { return jcfed_libm_loaded() ? fns.tgammal(x) : (long double)NAN; }
double trunc(double x) { return jcfed_libm_loaded() ? fns.trunc(x) : (double)NAN; }
float truncf(float x) { return jcfed_libm_loaded() ? fns.truncf(x) : (float)NAN; }
long double truncl(long double x) { return jcfed_libm_loaded() ? fns.truncl(x) : (long double)NAN; }
float atan2f(float x, float y) { return jcfed_libm_loaded() ? fns.atan2f(x, y) : (float)NAN; }
long double atan2l(long double x, long double y) { return jcfed_libm_loaded() ? fns.atan2l(x, y) : (long double)NAN; }
float fdimf(float x, float y) { return jcfed_libm_loaded() ? fns.fdimf(x, y) : (float)NAN; }
long double fdiml(long double x, long double y) { return jcfed_libm_loaded() ? fns.fdiml(x, y) : (long double)NAN; }
long double fmaxl(long double x, long double y) { return jcfed_libm_loaded() ? fns.fmaxl(x, y) : (long double)NAN; }
long double fminl(long double x, long double y) { return jcfed_libm_loaded() ? fns.fminl(x, y) : (long double)NAN; }
double fmod(double x, double y) { return jcfed_libm_loaded() ? fns.fmod(x, y) : (double)NAN; }
float fmodf(float x, float y) { return jcfed_libm_loaded() ? fns.fmodf(x, y) : (float)NAN; }
long double fmodl(long double x, long double y) { return jcfed_libm_loaded() ? fns.fmodl(x, y) : (long double)NAN; }
float hypotf(float x, float y) { return jcfed_libm_loaded() ? fns.hypotf(x, y) : (float)NAN; }
long double hypotl(long double x, long double y) { return jcfed_libm_loaded() ? fns.hypotl(x, y) : (long double)NAN; }
float nextafterf(float x, float y) { return jcfed_libm_loaded() ? fns.nextafterf(x, y) : (float)NAN; }
long double nextafterl(long double x, long double y) { return jcfed_libm_loaded() ? fns.nextafterl(x, y) : (long double)NAN; }
float powf(float x, float y) { return jcfed_libm_loaded() ? fns.powf(x, y) : (float)NAN; }
long double powl(long double x, long double y) { return jcfed_libm_loaded() ? fns.powl(x, y) : (long double)NAN; }
double remainder(double x, double y) { return jcfed_libm_loaded() ? fns.remainder(x, y) : (double)NAN; }
float remainderf(float x, float y) { return jcfed_libm_loaded() ? fns.remainderf(x, y) : (float)NAN; }
long double remainderl(long double x, long double y) { return jcfed_libm_loaded() ? fns.remainderl(x, y) : (long double)NAN; }
double fma(double x, double y, double z) { return jcfed_libm_loaded() ? fns.fma(x, y, z) : (double)NAN; }
float fmaf(float x, float y, float z) { return jcfed_libm_loaded() ? fns.fmaf(x, y, z) : (float)NAN; }
long double fmal(long double x, long double y, long double z) { return jcfed_libm_loaded() ? fns.fmal(x, y, z) : (long double)NAN; }
double lgamma_r(double x, int *sign) {
    if (jcfed_libm_loaded()) return fns.lgamma_r(x, sign);
    if (sign) *sign = 0;
    return (double)NAN;
}
float lgammaf_r(float x, int *sign) {
    if (jcfed_libm_loaded()) return fns.lgammaf_r(x, sign);
    if (sign) *sign = 0;
    return (float)NAN;
}
long double lgammal_r(long double x, int *sign) {
    if (jcfed_libm_loaded()) return fns.lgammal_r(x, sign);
    if (sign) *sign = 0;
    return (long double)NAN;
}
double remquo(double x, double y, int *quo) {
    if (jcfed_libm_loaded()) return fns.remquo(x, y, quo);
    if (quo) *quo = 0;
    return (double)NAN;
}
float remquof(float x, float y, int *quo) {
    if (jcfed_libm_loaded()) return fns.remquof(x, y, quo);
    if (quo) *quo = 0;
    return (float)NAN;
}
long double remquol(long double x, long double y, int *quo) {
    if (jcfed_libm_loaded()) return fns.remquol(x, y, quo);
    if (quo) *quo = 0;
    return (long double)NAN;
}
double jn(int order, double x) { return jcfed_libm_loaded() ? fns.jn(order, x) : (double)NAN; }
double yn(int order, double x) { return jcfed_libm_loaded() ? fns.yn(order, x) : (double)NAN; }
float nanf(const char *tag) { return jcfed_libm_loaded() ? fns.nanf(tag) : (float)NAN; }
long double nanl(const char *tag) { return jcfed_libm_loaded() ? fns.nanl(tag) : (long double)NAN; }
