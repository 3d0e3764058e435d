/* Parsing the quantities a scenario file is written in: times ("10ms",
 * "1.5s"), rates ("100Mbps"), sizes ("1000B", "10MiB"), fractions ("0.01",
 * "1%"), integers (decimal or 0x hex), hex byte strings, booleans and IPv4
 * addresses, prefixes and ranges.
 *
 * Every function takes the whole string (surrounding blanks are not
 * allowed), returns 0 on success, or -1 with a one-line message in `err`
 * that quotes the input and says what would have been accepted.  Decimal
 * fractions are exact: "1.5ms" is 1500000 ns; a value finer than the unit
 * the result is counted in ("0.5ns") or beyond 2^64-1 is refused.
 */
#ifndef UNITS_H
#define UNITS_H

#include "ip_addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ns us ms s min h; a bare "0" is accepted, other bare numbers are not. */
int units_time_ns(const char *s, uint64_t *ns, char *err, size_t errlen);
/* bps kbps Mbps Gbps (SI, 1000); must be > 0. */
int units_rate_bps(const char *s, uint64_t *bps, char *err, size_t errlen);
/* B KB KiB MB MiB GB GiB; a bare integer counts bytes. */
int units_size_bytes(const char *s, uint64_t *bytes, char *err, size_t errlen);
/* A probability in [0, 1], as a decimal ("0.01") or a percentage ("1%"). */
int units_fraction(const char *s, double *p, char *err, size_t errlen);
/* An unsigned integer, decimal or 0x hex, within [min, max]. */
int units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v, char *err, size_t errlen);
/* Hex bytes, with or without a 0x prefix, an even number of digits.  *len is
 * set to the number of bytes the string holds even when it exceeds cap (in
 * which case nothing past cap is written and 0 is still returned: the caller
 * compares *len with what it expects). */
int units_hex_bytes(const char *s, uint8_t *buf, size_t cap, size_t *len, char *err, size_t errlen);
/* true/false, yes/no, on/off (YAML 1.1), any case. */
int units_bool(const char *s, bool *v, char *err, size_t errlen);

/* IPv4 in dotted quad, host byte order. */
int units_ipv4(const char *s, uint32_t *addr, char *err, size_t errlen);
/* "A.B.C.D/N", N in 0..32; host bits may be set (an interface address). */
int units_ipv4_prefix(const char *s, uint32_t *addr, uint8_t *len, char *err, size_t errlen);
/* The netmask of a prefix length. */
uint32_t units_mask(uint8_t len);
/* Writes "A.B.C.D" into buf (at least 16 bytes); returns buf. */
char *units_ipv4_str(uint32_t addr, char *buf);
/* An address of either family: dotted quad, or IPv6 text (RFC 4291 §2.2). */
int units_ip(const char *s, struct ip_addr *addr, char *err, size_t errlen);
/* "ADDRESS/N" of either family, N up to 32 or 128; host bits may be set. */
int units_ip_prefix(const char *s, struct ip_addr *addr, uint8_t *len, char *err, size_t errlen);

#endif
