#ifndef JCFED_LIBM_H
#define JCFED_LIBM_H
/*
 * The libm functions the static Swift standard library refers to (Float, Double and Float80
 * arithmetic and the Glibc overlay's math), defined in the module and resolved in libm.so.6 on
 * first call (jcfed_loader.h), so that loading pam_jcfed.so does not load libm. Nothing to call
 * from Swift: the definitions satisfy the standard library's references when the module is
 * linked (the Makefile gives `-lm` an empty libm.a there).
 */
int jcfed_libm_loaded(void);
#endif
