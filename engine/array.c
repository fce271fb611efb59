/*
 * array.c - growing a heap array.
 * Provides: vp_array_reserve, vp_array_reserve_zeroed (array.h).  Uses: libc.
 */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int vp_array_reserve_zeroed(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t old = *cap;
    if (vp_array_reserve(arr, cap, need, elem))
        return -1;
    memset((char *)*arr + old * elem, 0, (*cap - old) * elem);
    return 0;
}
