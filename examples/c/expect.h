/*
 * expect.h -- the checking helper of the C test programs (check_errors.c, check_amortized.c):
 * EXPECT(call, want, needle) runs a gojammy call and counts a failure unless it returns the status
 * `want` and, if needle is not NULL, the thread's last error message contains needle; TRUE(cond)
 * counts a failure unless cond holds.
 */
#ifndef GOJAMMY_EXAMPLES_EXPECT_H
#define GOJAMMY_EXAMPLES_EXPECT_H

#include <stdio.h>
#include <string.h>

#include "gojammy.h"

static int failures = 0;
static int checks = 0;

/* expect checks a status and that the thread's last error contains `needle` (if not NULL). */
static void expect(const char* what, int status, int want, const char* needle, int line) {
    char msg[1024] = "";
    checks++;
    if (status != GJ_OK) gj_last_error(msg, sizeof msg);
    if (status != want || (needle && !strstr(msg, needle))) {
        fprintf(stderr, "line %d: %s: status %d (want %d), message \"%s\" (want \"%s\")\n", line,
                what, status, want, msg, needle ? needle : "");
        failures++;
    }
}

#define EXPECT(call, want, needle) expect(#call, (call), (want), (needle), __LINE__)

/* TRUE counts a failure unless cond holds. */
#define TRUE(cond)                                                        \
    do {                                                                  \
        checks++;                                                         \
        if (!(cond)) {                                                    \
            fprintf(stderr, "line %d: not true: %s\n", __LINE__, #cond); \
            failures++;                                                   \
        }                                                                 \
    } while (0)

#endif /* GOJAMMY_EXAMPLES_EXPECT_H */
