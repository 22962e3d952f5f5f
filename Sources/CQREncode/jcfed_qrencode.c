#include "jcfed_qrencode.h"
#include "jcfed_loader.h"

/* Every libqrencode function the module uses; all must resolve or none is used (jcfed_loader.h). */
#define JCFED_QR_SYMBOLS(X) X(QRcode_encodeString) X(QRcode_free)

JCFED_LOADER(JCFED_QR_SYMBOLS)

/* libqrencode reads no environment variable and needs no initialisation. */
JCFED_LOADER_PLAIN_LOAD("libqrencode.so.4")

int jcfed_qr_load(void) {
    pthread_once(&jcfed_loader_once, load);
    return fns.loaded;
}

QRcode *jcfed_QRcode_encodeString(const char *string, int version, QRecLevel level, QRencodeMode hint, int casesensitive) {
    return jcfed_qr_load() ? fns.QRcode_encodeString(string, version, level, hint, casesensitive) : NULL;
}

void jcfed_QRcode_free(QRcode *qrcode) {
    if (qrcode && jcfed_qr_load()) fns.QRcode_free(qrcode);
}
