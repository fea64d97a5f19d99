// Fixed-point values written as plain decimals without trailing zeros ("30244", "0.18050747"),
// the way exchanges write prices and sizes, eight digits at a time.
#include "CDraizerShim.h"
#include <string.h>

// The eight decimal digits of x < 10^8, most significant first in memory (little-endian), each
// byte 0...9. Two 4-digit halves, then 2-digit quarters, then digits, each split made in every
// lane at once with a multiply and a shift (exact for the lane's range: x/100 for x < 10^4 as
// x*10486 >> 20, x/10 for x < 100 as x*103 >> 10).
static inline uint64_t eight_digits(uint32_t x) {
    uint64_t lanes = (uint64_t)(x / 10000) | ((uint64_t)(x % 10000) << 32);
    uint64_t hundreds = ((lanes * 10486) >> 20) & 0x0000007F0000007FULL;
    lanes = hundreds | ((lanes - hundreds * 100) << 16);
    uint64_t tens = ((lanes * 103) >> 10) & 0x000F000F000F000FULL;
    return tens | ((lanes - tens * 10) << 8);
}

// One bit per byte that is not 0 (the byte's high bit), for digit bytes 0...9.
static inline uint64_t nonzero_digits(uint64_t digits) { return (digits + 0x7F7F7F7F7F7F7F7FULL) & 0x8080808080808080ULL; }

// Digit by digit, for values of 17 or more digits or scales over 15.
static size_t write_slowly(uint64_t value, int scale, uint8_t *out) {
    while (scale > 0 && value % 10 == 0) {
        value /= 10;
        scale--;
    }
    uint8_t text[48];
    int index = 48;  // at most 19 digits or 30 decimals, a point and a zero
    int written = 0;
    do {
        text[--index] = (uint8_t)('0' + value % 10);
        value /= 10;
        written++;
        if (written == scale) text[--index] = '.';
    } while (value > 0 || written < scale);
    if (text[index] == '.') text[--index] = '0';
    memcpy(out, text + index, (size_t)(48 - index));
    return (size_t)(48 - index);
}

size_t drz_write_decimal(int64_t mantissa, int32_t scale, uint8_t *out) {
    size_t sign = 0;
    uint64_t value = (uint64_t)mantissa;
    if (mantissa < 0) {
        *out++ = '-';
        sign = 1;
        value = 0 - value;
    }
    if (scale < 0) scale = 0;
    if (scale > 30) scale = 30;
    if (value >= 10000000000000000ULL || scale > 15) return sign + write_slowly(value, scale, out);

    // All sixteen digits, zero-padded; then the integer part from its first significant digit
    // (at least the units) and the fraction up to its last significant digit. Both pieces are
    // shifted into place in registers and stored whole: copying them out of a staging buffer
    // would read back stores that had not landed yet.
    uint64_t high = eight_digits((uint32_t)(value / 100000000)), low = eight_digits((uint32_t)(value % 100000000));
    uint64_t high_mask = nonzero_digits(high), low_mask = nonzero_digits(low);
    int first = high_mask ? __builtin_ctzll(high_mask) / 8 : (low_mask ? 8 + __builtin_ctzll(low_mask) / 8 : 16);
    int last = low_mask ? 15 - __builtin_clzll(low_mask) / 8 : (high_mask ? 7 - __builtin_clzll(high_mask) / 8 : -1);
    int point = 16 - scale;
    if (first > point - 1) first = point - 1;
    unsigned __int128 text = ((unsigned __int128)(low + 0x3030303030303030ULL) << 64) | (high + 0x3030303030303030ULL);
    size_t integer = (size_t)(point - first);
    unsigned __int128 piece = text >> (8 * first);
    memcpy(out, &piece, 16);  // the caller's room covers the whole store
    if (last < point) return sign + integer;
    size_t fraction = (size_t)(last + 1 - point);
    out[integer] = '.';
    piece = text >> (8 * point);
    memcpy(out + integer + 1, &piece, 16);
    return sign + integer + 1 + fraction;
}
