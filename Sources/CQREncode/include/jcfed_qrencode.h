#ifndef JCFED_QRENCODE_H
#define JCFED_QRENCODE_H
/*
 * libqrencode, loaded on first use: only a federated login that shows a QR code needs it, so
 * other logins do not map or relocate it (see Sources/CCurl/include/jcfed_curl.h for the why).
 * The header is included for the QRcode type and constants only.
 */
#include <qrencode.h>

/* 1 when libqrencode is loaded (loading it if needed), 0 when it cannot be. */
int jcfed_qr_load(void);
/* QRcode_encodeString, or NULL when the library is missing (no QR code is drawn then). */
QRcode *jcfed_QRcode_encodeString(const char *string, int version, QRecLevel level, QRencodeMode hint, int casesensitive);
void jcfed_QRcode_free(QRcode *qrcode);

#endif
