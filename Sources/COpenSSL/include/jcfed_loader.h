#ifndef JCFED_LOADER_H
#define JCFED_LOADER_H
/*
 * The one way the module loads a C library on first use (libcrypto, libcurl, libqrencode):
 * an X-macro list of every function it calls, a table of pointers of exactly the header's types
 * (__typeof__ does not reference the symbol), filled all or nothing.
 *
 *   #define SYMBOLS(X) X(foo_init) X(foo_free)
 *   JCFED_LOADER(SYMBOLS)
 *
 * defines, in the including file: `struct jcfed_table` (one field per symbol, and `loaded`),
 * `static struct jcfed_table fns` (the module's table, filled once by the file's own load()
 * through `jcfed_loader_once`: a PAM host may call the module from several threads), and
 * `jcfed_resolve(&table, soname)`: 1 when `soname` opened (RTLD_NOW | RTLD_LOCAL |
 * RTLD_NODELETE: it stays loaded) and every symbol resolved into `table`, else 0 and nothing of
 * the table is used. The tables ld.so reads only while loading (relocations, symbols) leave
 * memory once the dlopen and the lookups are done (jcfed_relocations.h). Each file keeps its own
 * load(): what initialisation the library needs and in which environment (jcfed_environment.h);
 * JCFED_LOADER_PLAIN_LOAD is the load() of a library that needs neither.
 *
 * Why first use and not a link: a login of a user who is not federated never calls these
 * libraries, and loading them costs every process that loads pam_jcfed.so memory and relocation
 * time (bench/results.md, row 1).
 */
#include <dlfcn.h>
#include <pthread.h>
#include "jcfed_relocations.h"

#define JCFED_LOADER_FIELD(name) __typeof__(&name) name;
#define JCFED_LOADER_RESOLVE(name) \
    if (!(*(void **)(&t->name) = dlsym(h, #name))) return 0;

#define JCFED_LOADER(SYMBOLS) \
    struct jcfed_table { SYMBOLS(JCFED_LOADER_FIELD) int loaded; }; \
    static struct jcfed_table fns; \
    static pthread_once_t jcfed_loader_once = PTHREAD_ONCE_INIT; \
    static int jcfed_resolve_symbols(struct jcfed_table *t, void *h) { \
        SYMBOLS(JCFED_LOADER_RESOLVE) \
        return 1; \
    } \
    static int jcfed_resolve(struct jcfed_table *t, const char *soname) { \
        struct jcfed_objects before; \
        jcfed_objects_snapshot(&before); \
        void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE); \
        if (!h) return 0; \
        int resolved = jcfed_resolve_symbols(t, h); \
        jcfed_drop_load_time_tables(&before); \
        return resolved; \
    }

/* load() for a library that reads no environment variable and needs no initialisation
 * (libqrencode, libm): the table is the module's when every symbol resolved. */
#define JCFED_LOADER_PLAIN_LOAD(soname) \
    static void load(void) { \
        struct jcfed_table t = {0}; \
        if (jcfed_resolve(&t, soname)) { \
            t.loaded = 1; \
            fns = t; \
        } \
    }

#endif
