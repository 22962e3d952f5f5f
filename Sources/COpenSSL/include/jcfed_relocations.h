#ifndef JCFED_RELOCATIONS_H
#define JCFED_RELOCATIONS_H
/*
 * The tables ld.so reads only while it loads a library, out of the process's memory once the
 * module's loading is done.
 *
 * While dlopen relocates an object, ld.so reads its relocation tables (.rela.dyn, .rela.plt)
 * once, and the symbol tables (.dynsym, .dynstr, the hash table, the version tables) of the
 * objects it looks names up in; with every reference bound at load (RTLD_NOW), and the module's
 * own dlsym calls made, nothing reads them afterwards. Their pages would stay in every login
 * process: libcrypto's relocations alone are 430 KB, its symbol tables 270 KB, libcurl's ~30
 * libraries' about 1.5 MB in all (bench/results.md, round 9). The front drops the core's own
 * relocation table the same way (pam/front/pam_jcfed_front.c).
 *
 *   struct jcfed_objects before;
 *   jcfed_objects_snapshot(&before);
 *   void *h = dlopen(...);  ... dlsym(h, ...) ...
 *   jcfed_drop_load_time_tables(&before);
 *
 * The objects that dlopen added join the module's own list; the tables of every object on that
 * list are dropped (a later load looks names up in the earlier ones again). Never an object the
 * host had loaded itself. Of each object, only whole pages of those sections that lie in a
 * read-only PT_LOAD segment outside PT_GNU_RELRO, in an object without text relocations: clean
 * pages of a private file mapping, which MADV_DONTNEED takes out of the page table and a later
 * read (a lookup by another dlopen or dlsym) faults in again, unchanged, from the file; only
 * memory use changes. Anything unexpected (an unreadable file, odd ELF, more objects than the
 * lists hold) and nothing is dropped.
 */
#include <stddef.h>
#include <stdint.h>

#define JCFED_OBJECTS_MAX 512

struct jcfed_objects {
    size_t count;
    int overflow; /* more objects than fit: drop nothing */
    uintptr_t base[JCFED_OBJECTS_MAX];
};

void jcfed_objects_snapshot(struct jcfed_objects *before);
void jcfed_drop_load_time_tables(const struct jcfed_objects *before);

#endif
