#include <math.h>
#include "jcfed_libm.h"

/*
 * Why: the static standard library calls ceil() in every federated login (it sizes a
 * Dictionary's storage with it) and round() a few times; forwarded like the other libm
 * functions (jcfed_libm.c), those two calls loaded libm.so.6 into every login process (0.37 MB
 * of RSS, bench/results.md row 5). Rounding to an integer is exact arithmetic that needs no
 * library: ceil, floor, trunc and round (and their float forms) are defined here, with libm's
 * results (IEEE 754 roundToIntegral; round is half away from zero), signed zeros, infinities
 * and NaN included (Tests/integration/test_libm_on_first_use.py compares every result bit for
 * bit with libm's). Compiled with -fno-builtin, like jcfed_libm.c.
 *
 * A double of magnitude 2^52 or more (a float: 2^23) has no fraction bits, nor has an
 * infinity, and NaN fails every comparison: each of those is its own result. Below that bound
 * the integer part fits a long long (an int) and the conversion truncates toward zero exactly.
 * A zero result takes x's sign (ceil(-0.5) is -0.0): `x * 0` is a zero with the sign of a finite x.
 */

#define JCFED_ROUNDING(T, SUFFIX, BOUND, WHOLE)                                                   \
    static T whole##SUFFIX(T x) { return (T)(WHOLE)x; }                                           \
    static int fractional##SUFFIX(T x) { return x > -(BOUND) && x < (BOUND); }                    \
    T trunc##SUFFIX(T x) {                                                                        \
        if (!fractional##SUFFIX(x)) return x;                                                     \
        T t = whole##SUFFIX(x);                                                                   \
        return t == 0 ? x * 0 : t;                                                                \
    }                                                                                             \
    T floor##SUFFIX(T x) {                                                                        \
        if (!fractional##SUFFIX(x)) return x;                                                     \
        T t = whole##SUFFIX(x);                                                                   \
        if (t > x) t -= 1;                                                                        \
        return t == 0 ? x * 0 : t;                                                                \
    }                                                                                             \
    T ceil##SUFFIX(T x) {                                                                         \
        if (!fractional##SUFFIX(x)) return x;                                                     \
        T t = whole##SUFFIX(x);                                                                   \
        if (t < x) t += 1;                                                                        \
        return t == 0 ? x * 0 : t;                                                                \
    }                                                                                             \
    /* Half away from zero. x - t, the fraction, is exact (it needs no more bits than x has). */ \
    T round##SUFFIX(T x) {                                                                        \
        if (!fractional##SUFFIX(x)) return x;                                                     \
        T t = whole##SUFFIX(x);                                                                   \
        T fraction = x - t;                                                                       \
        if (fraction >= (T)0.5) t += 1;                                                           \
        else if (fraction <= (T)-0.5) t -= 1;                                                     \
        return t == 0 ? x * 0 : t;                                                                \
    }

JCFED_ROUNDING(double, , 0x1p52, long long)
JCFED_ROUNDING(float, f, 0x1p23f, int)
