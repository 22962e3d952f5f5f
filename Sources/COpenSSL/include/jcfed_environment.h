#ifndef JCFED_ENVIRONMENT_H
#define JCFED_ENVIRONMENT_H
/*
 * A scrubbed process environment for the duration of a library call.
 *
 * The module runs inside su and sudo (setuid, with the caller's environment) and other PAM hosts.
 * libcurl, OpenSSL and glibc's resolver read environment variables with plain getenv: proxies
 * (*_proxy, NO_PROXY), SSLKEYLOGFILE (a root-created file of TLS secrets), OPENSSL_CONF and the
 * trust-store variables, LOCALDOMAIN, RES_OPTIONS, HOSTALIASES, ... None of them may change
 * where the module connects, what it trusts, where it writes or what it logs.
 *
 * jcfed_env_scrub_begin() replaces `environ` with a copy of it that lacks every variable named by
 * jcfed_env_is_scrubbed() and has one of the module's own, GNUTLS_NO_IMPLICIT_INIT=1 (see the .c
 * file: GnuTLS, loaded with libcurl and never used, skips its initialisation);
 * jcfed_env_scrub_end() puts the caller's `environ` back, the very same array, so the environment
 * after the call is exactly the one before it (same entries, same order; nothing is set, unset
 * or copied in the caller's array). Scopes nest and may overlap in several threads (a counter
 * under a mutex): the first begin installs the copy, the last end restores. The copy is freed at
 * the next begin, not at the end, so that a thread libcurl left behind (its resolver thread,
 * detached after a timeout) can never read freed memory.
 *
 * Why this is safe: the module starts no threads, and PAM applications (sshd, login, su, sudo)
 * call PAM from one thread, so nothing else reads or writes the environment while a scope is
 * open, apart from libcurl's resolver thread, which reads it (LOCALDOMAIN, RES_OPTIONS,
 * HOSTALIASES) when it starts the lookup, inside the scope.
 */
#include <stddef.h>

/* 1 when the scrubbed environment is in place (end must then be called once), 0 when it could
 * not be made (out of memory): the caller must then not make the library call (fail closed). */
int jcfed_env_scrub_begin(void);
void jcfed_env_scrub_end(void);

/* 1 when the variable of `entry` ("NAME=value", or "NAME") is removed inside a scope. */
int jcfed_env_is_scrubbed(const char *entry);

#endif
