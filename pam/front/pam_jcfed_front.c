/*
 * pam_jcfed.so, the front: the module libpam loads. It is small C, so that what every sshd, sudo,
 * su and login pays for loading pam_jcfed is small (bench/results.md, row 1); the module's logic
 * is the Swift core, pam_jcfed_core.so in the same folder (the static Swift runtime and standard
 * library: about 15,000 relocations and 1 MB of pages at load, whatever the core then does),
 * loaded the first time a stage needs it.
 *
 * A stage needs the core unless the answer is already known:
 * - setcred, open_session, close_session and chauthtok answer as the core does (PAM_SUCCESS,
 *   PAM_IGNORE, PAM_IGNORE, PAM_IGNORE: pam_jcfed(8), MODULE TYPES PROVIDED) without it;
 * - auth and account answer PAM_IGNORE without it when the core already decided that this user is
 *   not federated, from inputs that are all still the same: the record the core wrote in
 *   /run/jcfed/not-federated (Sources/JCFedCore/Identity/NotFederatedRecord.swift has the format
 *   and why those inputs are all of them). Each field is checked against what is true now: the
 *   module's arguments, jcfed.conf and the directory file by lstat (device, inode, size,
 *   modification and change times), the account by getpwnam_r, its local groups by getgrouplist
 *   and getgrgid_r, the clock not behind the record. Anything else, anything different, anything
 *   that cannot be checked, and the core decides (and writes a new record).
 * A record is trusted only when it and its two folders are root's and not writable by group or
 * others, reached without following a symbolic link: nothing a local user controls decides here.
 *
 * Exports only the six pam_sm_* (pam/pam_jcfed.map). No threads; the core is loaded once per
 * process (pthread_once: a threaded host may run two transactions at once), RTLD_NOW so a missing
 * symbol fails the load cleanly, RTLD_NODELETE as the core needs (Makefile).
 */
#define _GNU_SOURCE
#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_modules.h>
#include <security/pam_ext.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define CORE_NAME "pam_jcfed_core.so"
#define RECORD_PARENT "/run/jcfed"
#define RECORD_FOLDER "not-federated"
#define DEFAULT_CONFIG "/etc/jcfed/jcfed.conf"
#define RECORD_MAX 65536
#define RECORD_HEADER "jcfed-not-federated 1\n"

typedef int (*pam_entry)(pam_handle_t *, int, int, const char **);

enum { AUTHENTICATE, ACCT_MGMT, ENTRY_COUNT };
static const char *const entry_names[ENTRY_COUNT] = { "pam_sm_authenticate", "pam_sm_acct_mgmt" };
static pam_entry core_entries[ENTRY_COUNT];
static char core_problem[2 * PATH_MAX + 256]; /* a path and dlerror()'s message */
static pthread_once_t core_once = PTHREAD_ONCE_INIT;

/* ld.so reads the core's relocation table (.rela.dyn: about 17,000 entries, 400 KB, nearly all of
 * them the static Swift runtime's metadata) once, while dlopen relocates the core; nothing reads
 * it afterwards, but its pages would stay in every login process's memory (bench row 5). They are
 * dropped here: MADV_DONTNEED on a read-only private file mapping, whose pages a later read
 * (there is none) would fault in again from the file. Only whole pages inside the table, only
 * when the file's section headers say where it is and that it is not writable; anything else,
 * and nothing is dropped. */
static void drop_relocation_table(void *core, const char *path) {
    struct link_map *map = NULL;
    if (dlinfo(core, RTLD_DI_LINKMAP, &map) != 0 || !map) return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    Elf64_Ehdr eh;
    Elf64_Shdr *sections = NULL;
    char *names = NULL;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
        eh.e_shnum > 4096 || eh.e_shstrndx >= eh.e_shnum)
        goto done;
    size_t table = (size_t)eh.e_shnum * sizeof *sections;
    sections = malloc(table);
    if (!sections || pread(fd, sections, table, (off_t)eh.e_shoff) != (ssize_t)table) goto done;
    const Elf64_Shdr *strings = &sections[eh.e_shstrndx];
    if (strings->sh_size == 0 || strings->sh_size > 65536) goto done;
    names = malloc(strings->sh_size + 1);
    if (!names || pread(fd, names, strings->sh_size, (off_t)strings->sh_offset) != (ssize_t)strings->sh_size) goto done;
    names[strings->sh_size] = 0;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) goto done;
    for (int i = 0; i < eh.e_shnum; i++) {
        const Elf64_Shdr *s = &sections[i];
        if (s->sh_name >= strings->sh_size || strcmp(names + s->sh_name, ".rela.dyn") != 0) continue;
        if (s->sh_type != SHT_RELA || !(s->sh_flags & SHF_ALLOC) || (s->sh_flags & SHF_WRITE)) break;
        uintptr_t start = (uintptr_t)map->l_addr + s->sh_addr, end = start + s->sh_size;
        uintptr_t first = (start + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
        uintptr_t last = end & ~((uintptr_t)page - 1);
        if (last > first) madvise((void *)first, last - first, MADV_DONTNEED);
        break;
    }
done:
    free(names);
    free(sections);
    close(fd);
}

static void load_core(void) {
    Dl_info self;
    if (!dladdr((void *)&load_core, &self) || !self.dli_fname) {
        snprintf(core_problem, sizeof core_problem, "cannot find its own path to load %s", CORE_NAME);
        return;
    }
    const char *slash = strrchr(self.dli_fname, '/');
    char path[PATH_MAX];
    int n = slash ? snprintf(path, sizeof path, "%.*s/%s", (int)(slash - self.dli_fname), self.dli_fname, CORE_NAME)
                  : snprintf(path, sizeof path, "%s", CORE_NAME);
    if (n < 0 || (size_t)n >= sizeof path || path[0] != '/') {
        snprintf(core_problem, sizeof core_problem, "cannot name %s beside %s", CORE_NAME, self.dli_fname);
        return;
    }
    void *core = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!core) {
        const char *why = dlerror();
        snprintf(core_problem, sizeof core_problem, "cannot load %s: %s", path, why ? why : "unknown error");
        return;
    }
    pam_entry found[ENTRY_COUNT];
    for (int i = 0; i < ENTRY_COUNT; i++) {
        found[i] = (pam_entry)dlsym(core, entry_names[i]);
        if (!found[i]) {
            snprintf(core_problem, sizeof core_problem, "%s has no %s", path, entry_names[i]);
            return;
        }
    }
    drop_relocation_table(core, path);
    memcpy(core_entries, found, sizeof found);
}

/* The core's answer for this stage, or PAM_SERVICE_ERR when it cannot load: logged, and said with
 * the core's own sentence for PAM_SERVICE_ERR (pam_jcfed(8), MESSAGES). */
static int core_stage(int entry, pam_handle_t *pamh, int flags, int argc, const char **argv) {
    pthread_once(&core_once, load_core);
    if (!core_entries[entry]) {
        pam_syslog(pamh, LOG_ERR, "%s; reinstall jcfed", core_problem);
        if (!(flags & PAM_SILENT))
            pam_error(pamh, "Federated login is misconfigured; contact your administrator.");
        return PAM_SERVICE_ERR;
    }
    return core_entries[entry](pamh, flags, argc, argv);
}

/* ---- the not-federated record ---- */

/* A bounded text buffer; `failed` once anything did not fit. */
struct text { char data[RECORD_MAX]; size_t len; int failed; };

static void put(struct text *t, const char *format, ...) {
    if (t->failed) return;
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(t->data + t->len, sizeof t->data - t->len, format, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof t->data - t->len) { t->failed = 1; return; }
    t->len += (size_t)n;
}

static void put_hex(struct text *t, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) put(t, "%02x", *p);
}

/* A file as the core's record names it: lstat's identity, or "missing" when there is none.
 * 0 when it cannot be said (another error). */
static int put_file(struct text *t, const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) return 0;
        put(t, "missing");
        return 1;
    }
    put(t, "%llu %llu %lld %lld %ld %lld %ld", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
        (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
        (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec);
    return 1;
}

/* The account's local group names as SystemUserDatabase.groupNames lists them: getgrouplist with
 * the primary group, then each gid's name (a gid without one is left out). 0 on failure. */
static int put_groups(struct text *t, const struct passwd *pw) {
    int count = 64;
    gid_t *gids = malloc(sizeof(gid_t) * (size_t)count);
    if (!gids) return 0;
    int rc = getgrouplist(pw->pw_name, pw->pw_gid, gids, &count);
    if (rc < 0 && count > 0 && count <= 65536) {
        gid_t *more = realloc(gids, sizeof(gid_t) * (size_t)count);
        if (!more) { free(gids); return 0; }
        gids = more;
        rc = getgrouplist(pw->pw_name, pw->pw_gid, gids, &count);
    }
    if (rc < 0) { free(gids); return 0; }
    put(t, "groups");
    size_t size = 4096;
    char *buf = malloc(size);
    int ok = buf != NULL;
    for (int i = 0; ok && i < count; i++) {
        struct group gr, *found = NULL;
        int e;
        while ((e = getgrgid_r(gids[i], &gr, buf, size, &found)) == ERANGE && size < (1u << 22)) {
            char *bigger = realloc(buf, size * 4);
            if (!bigger) { ok = 0; break; }
            buf = bigger;
            size *= 4;
        }
        if (!ok) break;
        if (e == 0 && found && gr.gr_name) {
            put(t, " ");
            put_hex(t, gr.gr_name);
        }
    }
    free(buf);
    free(gids);
    put(t, "\n");
    return ok;
}

/* A folder or file root owns and nobody else can write. */
static int roots(int fd, mode_t type) {
    struct stat st;
    return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == 0 && !(st.st_mode & 022);
}

/* The record for uid, read into `out` (NUL-terminated); 0 when there is none to trust. */
static int read_record(uid_t uid, struct text *out) {
    int ok = 0, parent = -1, folder = -1, file = -1;
    const int dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    parent = open(RECORD_PARENT, dir_flags);
    if (parent < 0 || !roots(parent, S_IFDIR)) goto done;
    folder = openat(parent, RECORD_FOLDER, dir_flags);
    if (folder < 0 || !roots(folder, S_IFDIR)) goto done;
    char name[32];
    snprintf(name, sizeof name, "%lu", (unsigned long)uid);
    file = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (file < 0 || !roots(file, S_IFREG)) goto done;
    out->len = 0;
    for (;;) {
        if (out->len >= sizeof out->data - 1) goto done; /* too large: not ours */
        ssize_t n = read(file, out->data + out->len, sizeof out->data - 1 - out->len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) goto done;
        if (n == 0) break;
        out->len += (size_t)n;
    }
    out->data[out->len] = 0;
    ok = memchr(out->data, 0, out->len) == NULL;
done:
    if (file >= 0) close(file);
    if (folder >= 0) close(folder);
    if (parent >= 0) close(parent);
    return ok;
}

/* Decodes the lowercase hex field that starts at `p` (ending at a space or newline) into `out`.
 * Returns a pointer past it, or NULL. */
static const char *hex_field(const char *p, char *out, size_t size) {
    size_t n = 0;
    for (; *p && *p != ' ' && *p != '\n'; p += 2) {
        int hi = p[0] >= '0' && p[0] <= '9' ? p[0] - '0' : p[0] >= 'a' && p[0] <= 'f' ? p[0] - 'a' + 10 : -1;
        int lo = p[1] >= '0' && p[1] <= '9' ? p[1] - '0' : p[1] >= 'a' && p[1] <= 'f' ? p[1] - 'a' + 10 : -1;
        if (hi < 0 || lo < 0 || n + 1 >= size || (hi == 0 && lo == 0)) return NULL;
        out[n++] = (char)(hi * 16 + lo);
    }
    out[n] = 0;
    return p;
}

/* 1 when the core's record says this user is not federated and every input it was decided from
 * is what it is now. */
static int not_federated_on_record(pam_handle_t *pamh, int argc, const char **argv) {
    /* The arguments a record is written for: none, or config=PATH alone (no debug: its log lines
     * are the core's to write). */
    const char *config = DEFAULT_CONFIG;
    if (argc > 1) return 0;
    if (argc == 1) {
        if (!argv || !argv[0] || strncmp(argv[0], "config=", 7) != 0 || argv[0][7] == 0) return 0;
        config = argv[0] + 7;
    }
    const char *user = NULL;
    if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user || !*user) return 0;

    char pwbuf[4096];
    struct passwd pw, *account = NULL;
    if (getpwnam_r(user, &pw, pwbuf, sizeof pwbuf, &account) != 0 || !account) return 0;
    if (strcmp(pw.pw_name, user) != 0) return 0; /* the core logs a name NSS changed */

    struct text *record = malloc(sizeof *record);
    struct text *expected = malloc(sizeof *expected);
    int same = 0;
    if (!record || !expected) goto done;
    expected->len = 0;
    expected->failed = 0;
    if (!read_record(pw.pw_uid, record)) goto done;

    /* jcfed-not-federated 1, then `written SECONDS` not after now. */
    const char *p = record->data;
    if (strncmp(p, RECORD_HEADER, strlen(RECORD_HEADER)) != 0) goto done;
    p += strlen(RECORD_HEADER);
    if (strncmp(p, "written ", 8) != 0) goto done;
    char *end = NULL;
    errno = 0;
    long long written = strtoll(p + 8, &end, 10);
    if (errno || end == p + 8 || *end != '\n' || written > (long long)time(NULL)) goto done;
    p = end + 1;

    /* The rest is compared whole with the same lines made from what is true now; only the
     * directory's path is taken from the record (jcfed.conf, whose identity is checked, names it). */
    put(expected, "config ");
    put_hex(expected, config);
    put(expected, " ");
    if (!put_file(expected, config)) goto done;
    put(expected, "\n");

    size_t rest = record->len - (size_t)(p - record->data);
    if (expected->failed || rest < expected->len) goto done;
    const char *line = p + expected->len;
    if (strncmp(line, "directory ", 10) != 0) goto done;
    char directory[PATH_MAX];
    if (!hex_field(line + 10, directory, sizeof directory)) goto done;
    put(expected, "directory ");
    put_hex(expected, directory);
    put(expected, " ");
    if (!put_file(expected, directory)) goto done;
    put(expected, "\nuser ");
    put_hex(expected, pw.pw_name);
    put(expected, " %lu\n", (unsigned long)pw.pw_uid);
    if (!put_groups(expected, &pw)) goto done;

    same = !expected->failed && rest == expected->len && memcmp(p, expected->data, rest) == 0;
done:
    free(record);
    free(expected);
    return same;
}

/* ---- the entry points ---- */

/* auth and account: PAM_IGNORE from the core's record, else the core's answer. */
#define JCFED_CORE_ENTRY_POINT(name, entry)                                              \
    PAM_EXTERN int name(pam_handle_t *pamh, int flags, int argc, const char **argv) {  \
        if (not_federated_on_record(pamh, argc, argv)) return PAM_IGNORE;                \
        return core_stage(entry, pamh, flags, argc, argv);                               \
    }

/* The rest answer as the core does, without it: no credentials of jcfed's own to establish (no
 * tickets, no keys); no session of its own; passwords of federated users live in the IdP, and
 * the next module handles local ones. */
#define JCFED_CONSTANT_ENTRY_POINT(name, answer)                                         \
    PAM_EXTERN int name(pam_handle_t *pamh, int flags, int argc, const char **argv) {  \
        (void)pamh; (void)flags; (void)argc; (void)argv;                                 \
        return answer;                                                                   \
    }

JCFED_CORE_ENTRY_POINT(pam_sm_authenticate, AUTHENTICATE)
JCFED_CORE_ENTRY_POINT(pam_sm_acct_mgmt, ACCT_MGMT)
JCFED_CONSTANT_ENTRY_POINT(pam_sm_setcred, PAM_SUCCESS)
JCFED_CONSTANT_ENTRY_POINT(pam_sm_open_session, PAM_IGNORE)
JCFED_CONSTANT_ENTRY_POINT(pam_sm_close_session, PAM_IGNORE)
JCFED_CONSTANT_ENTRY_POINT(pam_sm_chauthtok, PAM_IGNORE)
