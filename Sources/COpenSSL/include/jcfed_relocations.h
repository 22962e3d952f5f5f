#ifndef JCFED_RELOCATIONS_H
#define JCFED_RELOCATIONS_H
/*
 * The relocation tables of the libraries the module loads, out of the process's memory once
 * they are loaded.
 *
 * ld.so reads an object's .rela.dyn and .rela.plt once, while dlopen relocates it, and nothing
 * reads them afterwards; their pages would stay in every login process (libcrypto's table alone
 * is 430 KB, libcurl's ~30 libraries' about 1 MB in all; bench/results.md, round 9). The front
 * does the same for the core (pam/front/pam_jcfed_front.c).
 *
 *   struct jcfed_objects before;
 *   jcfed_objects_snapshot(&before);
 *   void *h = dlopen(...);
 *   jcfed_drop_new_relocations(&before);
 *
 * Only objects the dlopen added are touched (not one the host had loaded itself), and of each
 * only whole pages of its SHT_RELA sections that lie in a read-only PT_LOAD segment outside
 * PT_GNU_RELRO, in an object without text relocations: clean pages of a private file mapping,
 * which MADV_DONTNEED drops from the page table and a later read (there is none) would fault in
 * again, unchanged, from the file. Anything unexpected (an unreadable file, odd ELF, more
 * objects than the snapshot holds) and nothing is dropped.
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
void jcfed_drop_new_relocations(const struct jcfed_objects *before);

#endif
