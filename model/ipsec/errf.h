/* The engine's error convention: a function that can fail takes (err,
 * errlen) and returns -1 with a message there; errf() writes the message
 * (if there is a buffer) and returns -1, so that a check fails in one line:
 * `return errf(err, errlen, "...", ...);`. */
#ifndef IPSEC_ERRF_H
#define IPSEC_ERRF_H

#include <stddef.h>

int errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
