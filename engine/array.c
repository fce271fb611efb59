/*
 * array.c - growing a heap array.
 * Provides: vp_array_reserve (array.h).  Uses: libc.
 */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

int vp_array_reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / elem)
        return -1;
    void *a = realloc(*arr, ncap * elem);
    if (!a)
        return -1;
    *arr = a;
    *cap = ncap;
    return 0;
}
