/*
 * check.h - minimal assertions for the C unit tests.
 * Each failed check prints file:line and the expression, counts a
 * failure, and the test's main returns CHECK_DONE() (non-zero on failure).
 */
#ifndef VP_CHECK_H
#define VP_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr)                                                                   \
    do {                                                                              \
        check_count++;                                                                \
        if (!(expr)) {                                                                \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                              \
    do {                                                                                \
        long long a_ = (long long)(a), b_ = (long long)(b);                             \
        check_count++;                                                                  \
        if (a_ != b_) {                                                                 \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
                    #a, #b, a_, b_);                                                    \
        }                                                                               \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                           \
    do {                                                                                \
        double a_ = (double)(a), b_ = (double)(b);                                      \
        check_count++;                                                                  \
        if (!(fabs(a_ - b_) <= (tol))) {                                                \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s ~= %s failed: %.9g vs %.9g\n", __FILE__, __LINE__, \
                    #a, #b, a_, b_);                                                    \
        }                                                                               \
    } while (0)

/* s contains sub */
#define CHECK_STR_HAS(s, sub)                                                           \
    do {                                                                                \
        const char *s_ = (s), *sub_ = (sub);                                            \
        check_count++;                                                                  \
        if (!s_ || !strstr(s_, sub_)) {                                                 \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
                    s_ ? s_ : "(null)", sub_);                                          \
        }                                                                               \
    } while (0)

#define CHECK_DONE()                                                                 \
    (fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures),         \
     check_failures ? 1 : 0)

#endif
