#include "jcfed_qrencode.h"
#include <dlfcn.h>
#include <pthread.h>

static struct {
    __typeof__(&QRcode_encodeString) encodeString;
    __typeof__(&QRcode_free) free;
    int loaded;
} fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *h = dlopen("libqrencode.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!h) return;
    *(void **)(&fns.encodeString) = dlsym(h, "QRcode_encodeString");
    *(void **)(&fns.free) = dlsym(h, "QRcode_free");
    fns.loaded = fns.encodeString && fns.free;
}

int jcfed_qr_load(void) {
    pthread_once(&once, load);
    return fns.loaded;
}

QRcode *jcfed_QRcode_encodeString(const char *string, int version, QRecLevel level, QRencodeMode hint, int casesensitive) {
    return jcfed_qr_load() ? fns.encodeString(string, version, level, hint, casesensitive) : NULL;
}

void jcfed_QRcode_free(QRcode *qrcode) {
    if (qrcode && jcfed_qr_load()) fns.free(qrcode);
}
