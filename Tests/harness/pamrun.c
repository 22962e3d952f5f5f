/*
 * pamrun: drive a real libpam stack from tests, without root or system files.
 *
 *   pamrun -d CONFDIR -s SERVICE -u USER [-o auth|acct|auth+acct|setcred|open|close|chauthtok|all]
 *          [-n CYCLES] [-a ANSWER]... [-i] [-c none|fail|null] [-q] [-r] [-R CYCLE]
 *
 * pam_start_confdir() loads the service file from CONFDIR, which names the module by absolute
 * path, so libpam dlopens the real pam_jcfed.so. The conversation prints every message on stdout
 * ("INFO: ...", "ERROR: ...", "PROMPT: ..." / "SECRET: ...") and answers prompts with the -a
 * answers in order, then with lines read from stdin (-i), else with an empty answer (Enter).
 * -c none: no conversation function; fail: the conversation returns PAM_CONV_ERR; null: it
 * returns success with no response. One line per call: "RESULT <op> <PAM_CODE_NAME>".
 * -r prints the process's max RSS (KiB) after the first and after the last cycle ("RSS <cycle> <KiB>");
 *    -R CYCLE also after that cycle (growth is then measured past the warm-up).
 * -m MODULE [-A ARG]...: call MODULE's pam_sm_* directly (dlopen) on a handle from
 *    pam_start_confdir, to see the module's own return code rather than the stack's verdict.
 *
 * Syslog: this program defines vsyslog/syslog, so what libpam's pam_syslog writes lands on
 * stderr as "SYSLOG <priority> <message>" (or in the file named by PAMRUN_SYSLOG): tests read
 * the admin log without a syslog daemon.
 */
#define _GNU_SOURCE
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <syslog.h>
#include <dlfcn.h>

void vsyslog(int priority, const char *format, va_list ap) {
    const char *path = getenv("PAMRUN_SYSLOG");
    FILE *f = path ? fopen(path, "a") : stderr;
    if (!f) return;
    fprintf(f, "SYSLOG %d ", priority & LOG_PRIMASK);
    vfprintf(f, format, ap);
    fputc('\n', f);
    if (f != stderr) fclose(f); else fflush(f);
}

void syslog(int priority, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsyslog(priority, format, ap);
    va_end(ap);
}

void __syslog_chk(int priority, int flag, const char *format, ...) {
    (void)flag;
    va_list ap;
    va_start(ap, format);
    vsyslog(priority, format, ap);
    va_end(ap);
}

void __vsyslog_chk(int priority, int flag, const char *format, va_list ap) {
    (void)flag;
    vsyslog(priority, format, ap);
}

static const char *answers[64];
static int n_answers, next_answer, read_stdin, quiet;
static enum { CONV_NORMAL, CONV_NONE, CONV_FAIL, CONV_NULL } conv_mode = CONV_NORMAL;

static const char *code_name(int rc) {
    switch (rc) {
    case PAM_SUCCESS: return "PAM_SUCCESS";
    case PAM_IGNORE: return "PAM_IGNORE";
    case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
    case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
    case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
    case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
    case PAM_CONV_ERR: return "PAM_CONV_ERR";
    case PAM_BUF_ERR: return "PAM_BUF_ERR";
    case PAM_ACCT_EXPIRED: return "PAM_ACCT_EXPIRED";
    case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
    case PAM_CRED_INSUFFICIENT: return "PAM_CRED_INSUFFICIENT";
    case PAM_MAXTRIES: return "PAM_MAXTRIES";
    case PAM_NEW_AUTHTOK_REQD: return "PAM_NEW_AUTHTOK_REQD";
    case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
    case PAM_ABORT: return "PAM_ABORT";
    case PAM_AUTHTOK_ERR: return "PAM_AUTHTOK_ERR";
    case PAM_CRED_ERR: return "PAM_CRED_ERR";
    case PAM_SESSION_ERR: return "PAM_SESSION_ERR";
    case PAM_MODULE_UNKNOWN: return "PAM_MODULE_UNKNOWN";
    default: return "PAM_OTHER";
    }
}

static char *next_reply(void) {
    if (next_answer < n_answers) return strdup(answers[next_answer++]);
    if (read_stdin) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, stdin);
        if (n < 0) { free(line); return NULL; }  /* EOF: the person went away */
        if (n > 0 && line[n - 1] == '\n') line[n - 1] = 0;
        return line;
    }
    return strdup("");
}

static int conversation(int n, const struct pam_message **msg, struct pam_response **resp, void *appdata) {
    (void)appdata;
    if (conv_mode == CONV_FAIL) return PAM_CONV_ERR;
    if (conv_mode == CONV_NULL) { *resp = NULL; return PAM_SUCCESS; }
    struct pam_response *r = calloc((size_t)n, sizeof *r);
    if (!r) return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        const char *text = msg[i]->msg ? msg[i]->msg : "";
        switch (msg[i]->msg_style) {
        case PAM_TEXT_INFO: if (!quiet) printf("INFO: %s\n", text); break;
        case PAM_ERROR_MSG: if (!quiet) printf("ERROR: %s\n", text); break;
        case PAM_PROMPT_ECHO_ON:
        case PAM_PROMPT_ECHO_OFF:
            if (!quiet) printf("%s: %s\n", msg[i]->msg_style == PAM_PROMPT_ECHO_ON ? "PROMPT" : "SECRET", text);
            fflush(stdout);
            r[i].resp = next_reply();
            if (!r[i].resp) {
                for (int j = 0; j < i; j++) free(r[j].resp);
                free(r);
                return PAM_CONV_ERR;
            }
            break;
        default: break;
        }
    }
    fflush(stdout);
    *resp = r;
    return PAM_SUCCESS;
}

static long max_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

typedef int (*sm_fn)(pam_handle_t *, int, int, const char **);
static void *module;
static const char *margs[64];
static int n_margs;

static int direct(pam_handle_t *h, const char *sym, int flags) {
    sm_fn fn = (sm_fn)dlsym(module, sym);
    if (!fn) { fprintf(stderr, "module has no %s\n", sym); exit(2); }
    return fn(h, flags, n_margs, margs);
}

static int run_op(pam_handle_t *h, const char *op) {
    if (module) {
        if (!strcmp(op, "auth")) return direct(h, "pam_sm_authenticate", 0);
        if (!strcmp(op, "acct")) return direct(h, "pam_sm_acct_mgmt", 0);
        if (!strcmp(op, "setcred")) return direct(h, "pam_sm_setcred", PAM_ESTABLISH_CRED);
        if (!strcmp(op, "open")) return direct(h, "pam_sm_open_session", 0);
        if (!strcmp(op, "close")) return direct(h, "pam_sm_close_session", 0);
        if (!strcmp(op, "chauthtok")) return direct(h, "pam_sm_chauthtok", PAM_UPDATE_AUTHTOK);
    }
    if (!strcmp(op, "auth")) return pam_authenticate(h, 0);
    if (!strcmp(op, "acct")) return pam_acct_mgmt(h, 0);
    if (!strcmp(op, "setcred")) return pam_setcred(h, PAM_ESTABLISH_CRED);
    if (!strcmp(op, "open")) return pam_open_session(h, 0);
    if (!strcmp(op, "close")) return pam_close_session(h, 0);
    if (!strcmp(op, "chauthtok")) return pam_chauthtok(h, 0);
    fprintf(stderr, "unknown op %s\n", op);
    exit(2);
}

int main(int argc, char **argv) {
    const char *confdir = NULL, *service = NULL, *user = NULL, *op = "auth";
    int cycles = 1, rss = 0, rss_at = 0, c;
    while ((c = getopt(argc, argv, "d:s:u:o:n:a:ic:qrR:m:A:")) != -1) {
        switch (c) {
        case 'd': confdir = optarg; break;
        case 's': service = optarg; break;
        case 'u': user = optarg; break;
        case 'o': op = optarg; break;
        case 'n': cycles = atoi(optarg); break;
        case 'a': if (n_answers < 64) answers[n_answers++] = optarg; break;
        case 'i': read_stdin = 1; break;
        case 'q': quiet = 1; break;
        case 'r': rss = 1; break;
        case 'R': rss = 1; rss_at = atoi(optarg); break;
        case 'm':
            module = dlopen(optarg, RTLD_NOW | RTLD_LOCAL);
            if (!module) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 2; }
            break;
        case 'A': if (n_margs < 64) margs[n_margs++] = optarg; break;
        case 'c':
            if (!strcmp(optarg, "none")) conv_mode = CONV_NONE;
            else if (!strcmp(optarg, "fail")) conv_mode = CONV_FAIL;
            else if (!strcmp(optarg, "null")) conv_mode = CONV_NULL;
            break;
        default: return 2;
        }
    }
    if (!confdir || !service || !user) {
        fprintf(stderr, "usage: pamrun -d CONFDIR -s SERVICE -u USER [-o OP] [-n N] [-a ANSWER] [-i] [-c none|fail|null] [-q] [-r] [-R CYCLE]\n");
        return 2;
    }
    const char *all[] = {"auth", "setcred", "acct", "open", "close", "chauthtok", NULL};
    const char *pair[] = {"auth", "acct", NULL};
    const char *single[] = {op, NULL};
    const char **ops = !strcmp(op, "all") ? all : !strcmp(op, "auth+acct") ? pair : single;

    struct pam_conv conv = { conversation, NULL };
    int last = PAM_SUCCESS;
    for (int i = 0; i < cycles; i++) {
        pam_handle_t *h = NULL;
        next_answer = 0;
        /* "No conversation function": a pam_conv whose function pointer is NULL. */
        struct pam_conv noconv = { NULL, NULL };
        int rc = pam_start_confdir(service, user, conv_mode == CONV_NONE ? &noconv : &conv, confdir, &h);
        if (rc != PAM_SUCCESS || !h) { printf("RESULT start %s\n", code_name(rc)); return 3; }
        for (const char **o = ops; *o; o++) {
            last = run_op(h, *o);
            if (i == 0 || i == cycles - 1) printf("RESULT %s %s\n", *o, code_name(last));
            if (!module && !strcmp(*o, "auth") && ops == pair && last != PAM_SUCCESS) break;
        }
        pam_end(h, last);
        if (rss && (i == 0 || i == cycles - 1 || i + 1 == rss_at)) printf("RSS %d %ld\n", i + 1, max_rss_kib());
        fflush(stdout);
    }
    return 0;
}
