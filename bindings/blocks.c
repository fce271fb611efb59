/*
 * blocks.c - a cache of small freed blocks (see blocks.h).  A cached
 * block's first bytes hold the next block of its list.
 */
#include "blocks.h"

#include <stdlib.h>
#include <string.h>

void *lb_blocks_alloc(lb_blocks *k, size_t size)
{
    size_t c = lb_block_class(size);
    void *b = k->list[c];
    if (!b)
        return malloc(16 * (c + 1));
    memcpy(&k->list[c], b, sizeof k->list[c]); /* its next */
    /* the list's blocks were freed long ago (by a GC sweep) and are
     * rarely in cache: the next one is fetched now, while this one is used */
    __builtin_prefetch(k->list[c], 1);
    k->cached -= 16 * (c + 1);
    return b;
}

void lb_blocks_free(lb_blocks *k, void *p, size_t size)
{
    size_t c = lb_block_class(size), bytes = 16 * (c + 1);
    if (k->cached + bytes > LB_BLOCKS_CACHED) {
        free(p);
        return;
    }
    memcpy(p, &k->list[c], sizeof k->list[c]);
    k->list[c] = p;
    k->cached += bytes;
}

void lb_blocks_release(lb_blocks *k)
{
    for (size_t c = 0; c < LB_BLOCK_MAX / 16; c++)
        while (k->list[c]) {
            void *b = k->list[c];
            memcpy(&k->list[c], b, sizeof k->list[c]);
            free(b);
        }
    k->cached = 0;
}
