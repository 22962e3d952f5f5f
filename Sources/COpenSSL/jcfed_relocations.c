#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jcfed_relocations.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int snapshot_one(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct jcfed_objects *s = data;
    if (s->count >= JCFED_OBJECTS_MAX) {
        s->overflow = 1;
        return 1;
    }
    s->base[s->count++] = (uintptr_t)info->dlpi_addr;
    return 0;
}

void jcfed_objects_snapshot(struct jcfed_objects *before) {
    before->count = 0;
    before->overflow = 0;
    dl_iterate_phdr(snapshot_one, before);
}

static int listed(const struct jcfed_objects *list, uintptr_t base) {
    for (size_t i = 0; i < list->count; i++)
        if (list->base[i] == base) return 1;
    return 0;
}

/* The objects the module's dlopen calls added, across its loads (libcrypto, libcurl's tree,
 * libqrencode, libm); under `lock`, as each library loads under a pthread_once of its own. */
static struct jcfed_objects added;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Read only by ld.so while it loads: relocations, and the symbol, hash and version tables
 * (.dynstr is the SHT_STRTAB that is allocated; .shstrtab and .strtab are not). */
static int is_load_time_table(const ElfW(Shdr) *s) {
    switch (s->sh_type) {
    case SHT_RELA: case SHT_REL: case SHT_DYNSYM: case SHT_STRTAB: case SHT_HASH: case SHT_GNU_HASH:
    case SHT_GNU_versym: case SHT_GNU_verdef: case SHT_GNU_verneed:
        return (s->sh_flags & SHF_ALLOC) && !(s->sh_flags & (SHF_WRITE | SHF_EXECINSTR)) && s->sh_size > 0;
    default:
        return 0;
    }
}

/* Whether the object's dynamic section asks for text relocations (its code pages written). */
static int has_text_relocations(const struct dl_phdr_info *info) {
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_DYNAMIC) continue;
        const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
        size_t n = ph->p_memsz / sizeof *d;
        for (size_t k = 0; k < n && d[k].d_tag != DT_NULL; k++) {
            if (d[k].d_tag == DT_TEXTREL) return 1;
            if (d[k].d_tag == DT_FLAGS && (d[k].d_un.d_val & DF_TEXTREL)) return 1;
        }
    }
    return 0;
}

/* Whether [start, end) lies in one read-only PT_LOAD of the object and outside PT_GNU_RELRO. */
static int in_read_only_segment(const struct dl_phdr_info *info, uintptr_t start, uintptr_t end) {
    int inside = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (ph->p_type == PT_GNU_RELRO && start < hi && lo < end) return 0;
        if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_W) && lo <= start && end <= hi) inside = 1;
    }
    return inside;
}

static void drop_in(const struct dl_phdr_info *info) {
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || has_text_relocations(info)) return;
    int fd = open(info->dlpi_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ElfW(Ehdr) eh;
    ElfW(Shdr) *sections = NULL;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(ElfW(Shdr)) || eh.e_shnum == 0 ||
        eh.e_shnum > 4096)
        goto done;
    size_t table = (size_t)eh.e_shnum * sizeof *sections;
    sections = malloc(table);
    if (!sections || pread(fd, sections, table, (off_t)eh.e_shoff) != (ssize_t)table) goto done;
    for (int i = 0; i < eh.e_shnum; i++) {
        const ElfW(Shdr) *s = &sections[i];
        if (!is_load_time_table(s)) continue;
        uintptr_t start = (uintptr_t)info->dlpi_addr + s->sh_addr, end = start + s->sh_size;
        uintptr_t first = (start + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
        uintptr_t last = end & ~((uintptr_t)page - 1);
        if (last > first && in_read_only_segment(info, first, last)) madvise((void *)first, last - first, MADV_DONTNEED);
    }
done:
    free(sections);
    close(fd);
}

/* Adds the objects that are not in `before` to `added`; when they do not all fit, `added` is
 * marked full and nothing is dropped from then on. */
static int add_new(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    const struct jcfed_objects *before = data;
    uintptr_t base = (uintptr_t)info->dlpi_addr;
    if (base == 0 || listed(before, base) || listed(&added, base)) return 0;
    if (added.count >= JCFED_OBJECTS_MAX) {
        added.overflow = 1;
        return 1;
    }
    added.base[added.count++] = base;
    return 0;
}

static int drop_if_added(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    /* Only files ld.so opened by path (not the vDSO, not the main program's empty name). */
    if (info->dlpi_addr == 0 || !info->dlpi_name || info->dlpi_name[0] != '/') return 0;
    if (listed(&added, (uintptr_t)info->dlpi_addr)) drop_in(info);
    return 0;
}

void jcfed_drop_load_time_tables(const struct jcfed_objects *before) {
    if (before->overflow) return;
    pthread_mutex_lock(&lock);
    if (!added.overflow) dl_iterate_phdr(add_new, (void *)before);
    if (!added.overflow) dl_iterate_phdr(drop_if_added, NULL);
    pthread_mutex_unlock(&lock);
}
