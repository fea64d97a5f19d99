// CRC-32 (IEEE 802.3, the zlib polynomial, reflected), as OKX checksums its books.
//
// On x86-64, long inputs are folded 16 bytes at a time with carry-less multiplication
// (PCLMULQDQ) and reduced to 32 bits with a Barrett step; the tail, short inputs and other CPUs go
// a byte at a time through a 256-entry table. The folding constants are powers of x modulo the
// polynomial (bit-reflected), one per distance a 64-bit half is moved forward; the Barrett step
// uses the polynomial itself and floor(x^64 / P).
#include "CDraizerShim.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static uint32_t crc_table[256];

__attribute__((constructor)) static void crc_table_init(void) {
    for (uint32_t index = 0; index < 256; index++) {
        uint32_t value = index;
        for (int bit = 0; bit < 8; bit++) value = (value & 1) ? 0xEDB88320u ^ (value >> 1) : value >> 1;
        crc_table[index] = value;
    }
}

static uint32_t crc_bytes(uint32_t state, const uint8_t *data, size_t length) {
    for (size_t index = 0; index < length; index++) state = crc_table[(state ^ data[index]) & 0xFF] ^ (state >> 8);
    return state;
}

#if defined(__x86_64__)
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_folded(uint32_t state, const uint8_t *data, size_t blocks) {
    const __m128i fold128 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);  // high: k2, low: k1
    const __m128i fold64 = _mm_set_epi64x(0, 0x163cd6124LL);
    const __m128i barrett = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);  // high: mu, low: P
    const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);

    __m128i x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)data), _mm_cvtsi32_si128((int)state));
    for (size_t block = 1; block < blocks; block++) {
        __m128i low = _mm_clmulepi64_si128(x, fold128, 0x00);
        __m128i high = _mm_clmulepi64_si128(x, fold128, 0x11);
        x = _mm_xor_si128(_mm_xor_si128(low, high), _mm_loadu_si128((const __m128i *)(data + 16 * block)));
    }
    // 128 bits to 64: the low half moved forward by 64 onto the high half.
    x = _mm_xor_si128(_mm_srli_si128(x, 8), _mm_clmulepi64_si128(x, fold128, 0x10));
    // 64 bits to 32.
    x = _mm_xor_si128(_mm_srli_si128(x, 4), _mm_clmulepi64_si128(_mm_and_si128(x, low32), fold64, 0x00));
    // Barrett reduction to the 32-bit remainder.
    __m128i quotient = _mm_clmulepi64_si128(_mm_and_si128(x, low32), barrett, 0x10);
    __m128i product = _mm_clmulepi64_si128(_mm_and_si128(quotient, low32), barrett, 0x00);
    return (uint32_t)_mm_extract_epi32(_mm_xor_si128(x, product), 1);
}

static int crc_has_pclmul = -1;
#endif

uint32_t drz_crc32(uint32_t crc, const uint8_t *data, size_t length) {
    uint32_t state = ~crc;
#if defined(__x86_64__)
    if (length >= 32) {
        if (crc_has_pclmul < 0) crc_has_pclmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
        if (crc_has_pclmul) {
            size_t blocks = length / 16;
            state = crc_folded(state, data, blocks);
            data += blocks * 16;
            length -= blocks * 16;
        }
    }
#endif
    return ~crc_bytes(state, data, length);
}

uint32_t drz_crc32_bytewise(uint32_t crc, const uint8_t *data, size_t length) { return ~crc_bytes(~crc, data, length); }
