/*
 * The Swift standard library's argv hook, defined here so that the linker does not take the
 * runtime's own (CommandLine.cpp in libswiftCore.a) into the module.
 *
 * Why: that file has a static initializer that, in every process that loads pam_jcfed.so
 * (sshd, sudo, su, login, federated user or not), opens /proc/self/maps and scans every line
 * with sscanf to find the stack, for CommandLine.arguments: about 0.2 M instructions in a small
 * process, more in one with many mappings (bench/results.md, row 1). A PAM module has no
 * command line of its own and never reads CommandLine: here it is empty.
 */
#include <stddef.h>

char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen);
void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc);

static char *empty_argv[] = { NULL };

char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    if (outArgLen) *outArgLen = 0;
    return empty_argv;
}

void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    (void)argv;
    (void)argc;
}
