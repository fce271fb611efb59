/*
 * array.h - growing a heap array.
 * Provides: vp_array_reserve() (and its zero-filling variant), the one
 * place the engine grows arrays.
 * Uses: libc.
 */
#ifndef VP_ARRAY_H
#define VP_ARRAY_H

#include <stddef.h>

/* Makes *arr (of *cap elements of elem bytes) hold at least need
 * elements, doubling from 16.  Returns 0, or -1 on out of memory with
 * *arr and *cap unchanged.  Call as vp_array_reserve((void **)&a, ...). */
int vp_array_reserve(void **arr, size_t *cap, size_t need, size_t elem);

/* The same, with the elements it adds set to zero bytes. */
int vp_array_reserve_zeroed(void **arr, size_t *cap, size_t need, size_t elem);

#endif
