#define _GNU_SOURCE /* lgamma_r, jn, yn */
#include <math.h>
#include "jcfed_libm.h"
#include "jcfed_loader.h"

/*
 * Why: the static standard library refers to 107 libm functions, so the module used to need
 * libm.so.6, and every process that loads pam_jcfed.so (every sudo and ssh, federated user or
 * not) mapped and relocated it: ~10 page faults and 0.3 MB of RSS (bench/results.md, row 1).
 * The 8 that round to an integer are defined exactly in jcfed_rounding.c (a login calls ceil
 * and round); the other 99 are here, and neither a not-federated decision nor a federated login
 * calls any of them. The first call of any one loads libm like libcurl
 * and libcrypto (jcfed_loader.h); if libm cannot be loaded each returns NaN (and 0 through its
 * int pointer) instead of crashing the PAM host.
 * A Swift toolchain that refers to a function missing here fails the module's link
 * (--no-undefined): add it to the list of its signature below.
 * Compiled with -fno-builtin (Package.swift) so that the compiler treats these as plain
 * functions, not as the builtins they share names with.
 */
/* The functions by signature: T f(T), T f(T, T), and the few others. */
/* (ceil, floor, trunc and round, and their float forms, are jcfed_rounding.c's, not libm's.) */
#define JCFED_LIBM_UNARY_DOUBLE(X) \
    X(cos) X(exp) X(exp2) X(log) X(log10) X(log2) X(nearbyint) X(rint) X(sin) X(sqrt)
#define JCFED_LIBM_UNARY_FLOAT(X) \
    X(acosf) X(acoshf) X(asinf) X(asinhf) X(atanf) X(atanhf) X(cbrtf) X(cosf) X(coshf) \
    X(erfcf) X(erff) X(exp2f) X(expf) X(expm1f) X(log10f) X(log1pf) X(log2f) X(logbf) \
    X(logf) X(nearbyintf) X(rintf) X(sinf) X(sinhf) X(sqrtf) X(tanf) X(tanhf) X(tgammaf)
#define JCFED_LIBM_UNARY_LONG(X) \
    X(acoshl) X(acosl) X(asinhl) X(asinl) X(atanhl) X(atanl) X(cbrtl) X(ceill) X(coshl) X(cosl) \
    X(erfcl) X(erfl) X(exp2l) X(expl) X(expm1l) X(floorl) X(log10l) X(log1pl) X(log2l) X(logbl) \
    X(logl) X(nearbyintl) X(rintl) X(roundl) X(sinhl) X(sinl) X(sqrtl) X(tanhl) X(tanl) \
    X(tgammal) X(truncl)
#define JCFED_LIBM_BINARY_DOUBLE(X) \
    X(fmod) X(remainder)
#define JCFED_LIBM_BINARY_FLOAT(X) \
    X(atan2f) X(fdimf) X(fmodf) X(hypotf) X(nextafterf) X(powf) X(remainderf)
#define JCFED_LIBM_BINARY_LONG(X) \
    X(atan2l) X(fdiml) X(fmaxl) X(fminl) X(fmodl) X(hypotl) X(nextafterl) X(powl) X(remainderl)
#define JCFED_LIBM_OTHER(X) \
    X(fma) X(fmaf) X(fmal) X(lgamma_r) X(lgammaf_r) X(lgammal_r) X(remquo) X(remquof) \
    X(remquol) X(jn) X(yn) X(nanf) X(nanl)
#define JCFED_LIBM_SYMBOLS(X) \
    JCFED_LIBM_UNARY_DOUBLE(X) JCFED_LIBM_UNARY_FLOAT(X) JCFED_LIBM_UNARY_LONG(X) \
    JCFED_LIBM_BINARY_DOUBLE(X) JCFED_LIBM_BINARY_FLOAT(X) JCFED_LIBM_BINARY_LONG(X) JCFED_LIBM_OTHER(X)

JCFED_LOADER(JCFED_LIBM_SYMBOLS)

/* libm reads no environment variable and needs no initialisation. */
JCFED_LOADER_PLAIN_LOAD("libm.so.6")

int jcfed_libm_loaded(void) {
    pthread_once(&jcfed_loader_once, load);
    return fns.loaded;
}

/* Each definition calls libm's function, or gives NaN (and 0 through an int pointer) without it. */
#define JCFED_UNARY(T, f) T f(T x) { return jcfed_libm_loaded() ? fns.f(x) : (T)NAN; }
#define JCFED_BINARY(T, f) T f(T x, T y) { return jcfed_libm_loaded() ? fns.f(x, y) : (T)NAN; }
#define JCFED_TERNARY(T, f) T f(T x, T y, T z) { return jcfed_libm_loaded() ? fns.f(x, y, z) : (T)NAN; }
#define JCFED_LGAMMA_R(T, f) T f(T x, int *sign) { \
        if (jcfed_libm_loaded()) return fns.f(x, sign); \
        if (sign) *sign = 0; \
        return (T)NAN; \
    }
#define JCFED_REMQUO(T, f) T f(T x, T y, int *quo) { \
        if (jcfed_libm_loaded()) return fns.f(x, y, quo); \
        if (quo) *quo = 0; \
        return (T)NAN; \
    }
#define JCFED_UNARY_DOUBLE(f) JCFED_UNARY(double, f)
#define JCFED_UNARY_FLOAT(f) JCFED_UNARY(float, f)
#define JCFED_UNARY_LONG(f) JCFED_UNARY(long double, f)
#define JCFED_BINARY_DOUBLE(f) JCFED_BINARY(double, f)
#define JCFED_BINARY_FLOAT(f) JCFED_BINARY(float, f)
#define JCFED_BINARY_LONG(f) JCFED_BINARY(long double, f)

JCFED_LIBM_UNARY_DOUBLE(JCFED_UNARY_DOUBLE)
JCFED_LIBM_UNARY_FLOAT(JCFED_UNARY_FLOAT)
JCFED_LIBM_UNARY_LONG(JCFED_UNARY_LONG)
JCFED_LIBM_BINARY_DOUBLE(JCFED_BINARY_DOUBLE)
JCFED_LIBM_BINARY_FLOAT(JCFED_BINARY_FLOAT)
JCFED_LIBM_BINARY_LONG(JCFED_BINARY_LONG)
JCFED_TERNARY(double, fma)
JCFED_TERNARY(float, fmaf)
JCFED_TERNARY(long double, fmal)
JCFED_LGAMMA_R(double, lgamma_r)
JCFED_LGAMMA_R(float, lgammaf_r)
JCFED_LGAMMA_R(long double, lgammal_r)
JCFED_REMQUO(double, remquo)
JCFED_REMQUO(float, remquof)
JCFED_REMQUO(long double, remquol)
double jn(int order, double x) { return jcfed_libm_loaded() ? fns.jn(order, x) : (double)NAN; }
double yn(int order, double x) { return jcfed_libm_loaded() ? fns.yn(order, x) : (double)NAN; }
float nanf(const char *tag) { return jcfed_libm_loaded() ? fns.nanf(tag) : (float)NAN; }
long double nanl(const char *tag) { return jcfed_libm_loaded() ? fns.nanl(tag) : (long double)NAN; }
