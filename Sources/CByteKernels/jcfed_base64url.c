// base64url blocks with AVX2, for the token path (bench/results.md, row 4: the portable decoder
// in Sources/JCFedCore/Encoding/Base64URL.swift was the largest share of a validation's own
// time). Swift has no per-function CPU targets, so the SIMD code is C with a target attribute,
// chosen at run time; everywhere else the core's portable decoder does the whole job.
#include "jcfed_base64url.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

// The same 16 bytes in both 128-bit lanes (vpshufb looks up within a lane).
#define LANES(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

// Per 32 characters: classify and translate with three nibble lookups (Mula and Lemire,
// "Faster Base64 Encoding and Decoding using AVX2 Instructions", 2018, with tables made for the
// URL alphabet), then pack 6-bit values into bytes with two multiply-adds.
//
// Validity: a character c is in the alphabet exactly when LO[c & 15] & HI[c >> 4] == 0. HI
// gives each high nibble one class bit; LO[l] holds the class bits for which low nibble l is
// NOT a character of the alphabet, and bit 0x20 always (the class of high nibbles 0, 1 and 8-F,
// which hold none: control characters, space and punctuation, every byte >= 0x80).
//   high 2 (0x01): only '-' (0x2D)           high 3 (0x02): '0'-'9' (0x30-0x39)
//   high 4 and 6 (0x04): 'A'-'O', 'a'-'o' (low 1-F)
//   high 5 (0x08): 'P'-'Z' (low 0-A) and '_' (0x5F)   high 7 (0x10): 'p'-'z' (low 0-A)
// Value: c + ROLL[high nibble], where ROLL is +17 for '-' (62), +4 for digits (52-61), -65 for
// upper case (0-25), -71 for lower case (26-51); '_' (63) is high nibble 5 like 'P'-'Z', so it
// looks up entry 13 (5 | 8), which holds -32.
__attribute__((target("avx2")))
static long blocks_avx2(const uint8_t *in, size_t blocks, uint8_t *out) {
    const __m256i lo_invalid = LANES(0x25, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21,
                                     0x21, 0x21, 0x23, 0x3B, 0x3B, 0x3A, 0x3B, 0x33);
    const __m256i hi_class = LANES(0x20, 0x20, 0x01, 0x02, 0x04, 0x08, 0x04, 0x10,
                                   0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20);
    const __m256i roll = LANES(0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, -32, 0, 0);
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i underscore = _mm256_set1_epi8('_');
    const __m256i eight = _mm256_set1_epi8(8);
    // 6-bit values a b c d -> 16-bit (a << 6 | b), (c << 6 | d) -> 32-bit (ab << 12 | cd), whose
    // three low bytes are the output bytes in reverse order.
    const __m256i merge_pairs = _mm256_set1_epi32(0x01400140);
    const __m256i merge_quads = _mm256_set1_epi32(0x00011000);
    const __m256i byte_order = LANES(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    // Each lane's 12 bytes next to each other: dwords 0-2 and 4-6.
    const __m256i lane_order = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    for (size_t b = 0; b < blocks; b++) {
        const __m256i s = _mm256_loadu_si256((const __m256i *)(const void *)(in + 32 * b));
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(s, 4), nibble);
        const __m256i lo = _mm256_and_si256(s, nibble);
        if (!_mm256_testz_si256(_mm256_shuffle_epi8(lo_invalid, lo), _mm256_shuffle_epi8(hi_class, hi))) {
            return -1;
        }
        const __m256i index = _mm256_or_si256(hi, _mm256_and_si256(_mm256_cmpeq_epi8(s, underscore), eight));
        const __m256i values = _mm256_add_epi8(s, _mm256_shuffle_epi8(roll, index));
        __m256i bytes = _mm256_madd_epi16(_mm256_maddubs_epi16(values, merge_pairs), merge_quads);
        bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(bytes, byte_order), lane_order);
        // 24 bytes: 16 then 8, nothing past the block's own output.
        _mm_storeu_si128((__m128i *)(void *)(out + 24 * b), _mm256_castsi256_si128(bytes));
        _mm_storel_epi64((__m128i *)(void *)(out + 24 * b + 16), _mm256_extracti128_si256(bytes, 1));
    }
    return (long)(blocks * 32);
}

// 0 not yet known, 1 AVX2 usable, 2 not. Found once per process (CPUID can cost microseconds in
// a VM); a race only finds the same answer twice.
static int avx2_state;

static int avx2_usable(void) {
    int state = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (state == 0) {
        unsigned a, b, c, d;
        int usable = 0;
        // AVX2 needs the CPU's flag and the kernel saving the YMM registers (XCR0 bits 1 and 2).
        if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE) && (c & bit_AVX)) {
            unsigned xcr0, xcr0_high;
            __asm__("xgetbv" : "=a"(xcr0), "=d"(xcr0_high) : "c"(0));
            if ((xcr0 & 6) == 6 && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX2)) usable = 1;
        }
        state = usable ? 1 : 2;
        __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
    }
    return state == 1;
}

long jcfed_base64url_blocks(const uint8_t *in, size_t count, uint8_t *out, size_t room) {
    if (in == NULL || out == NULL || !avx2_usable()) return 0;
    size_t blocks = count / 32;
    if (blocks > room / 24) blocks = room / 24;
    return blocks_avx2(in, blocks, out);
}

int jcfed_base64url_blocks_available(void) { return avx2_usable(); }

#else

long jcfed_base64url_blocks(const uint8_t *in, size_t count, uint8_t *out, size_t room) {
    (void)in; (void)count; (void)out; (void)room;
    return 0;
}

int jcfed_base64url_blocks_available(void) { return 0; }

#endif
