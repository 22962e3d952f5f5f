#ifndef JCFED_BASE64URL_H
#define JCFED_BASE64URL_H

#include <stddef.h>
#include <stdint.h>

/// Decodes whole blocks of 32 base64url characters (RFC 4648 §5, no padding) into 24 bytes each,
/// with AVX2 when the CPU and the kernel support it: the first n characters of `in`, n the largest
/// multiple of 32 with n <= count and n / 32 * 24 <= room. Writes exactly n / 32 * 24 bytes at
/// `out` and reads nothing past in[n - 1].
/// Returns n; 0 when it decodes nothing (no AVX2, fewer than 32 characters, a null pointer); -1
/// when one of the first n characters is outside the base64url alphabet. The core
/// (Base64.urlDecode) decodes whatever is left and gives every verdict on the rest.
long jcfed_base64url_blocks(const uint8_t *in, size_t count, uint8_t *out, size_t room);

/// 1 when jcfed_base64url_blocks decodes with AVX2 on this machine, 0 when it always returns 0.
int jcfed_base64url_blocks_available(void);

#endif
