/*
 * blocks.h - a cache of small freed blocks for a Lua state's allocator.
 *
 * Provides: lb_blocks, lb_blocks_alloc/free/release, LB_BLOCK_MAX.
 * Uses: libc malloc.
 *
 * A policy call makes and drops many small objects (proxies, tables,
 * strings): going to malloc and free for each one, and glibc's
 * consolidation of them when a large block is freed, took a tenth of a
 * 100x simulation.  Blocks of at most LB_BLOCK_MAX bytes are handed out in
 * 16-byte size classes; a freed one goes on its class's list for the next
 * request of that class, up to LB_BLOCKS_CACHED bytes in all (past that,
 * back to free).  Single-threaded, like the Lua state it serves.
 */
#ifndef LB_BLOCKS_H
#define LB_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>

#define LB_BLOCK_MAX 256                 /* bytes: larger blocks go to malloc */
#define LB_BLOCKS_CACHED (32u << 20)     /* bytes kept on the lists at most */

typedef struct lb_blocks {
    void *list[LB_BLOCK_MAX / 16];       /* class k: blocks of 16 (k + 1) bytes */
    size_t cached;
} lb_blocks;

/* Under AddressSanitizer every block goes to malloc, so that it still
 * sees each use after free in a Lua state. */
#if defined(__SANITIZE_ADDRESS__)
#define LB_BLOCKS_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LB_BLOCKS_ON 0
#endif
#endif
#ifndef LB_BLOCKS_ON
#define LB_BLOCKS_ON 1
#endif

/* Whether a block of that size goes through the cache. */
static inline bool lb_block_small(size_t size)
{
    return LB_BLOCKS_ON && size > 0 && size <= LB_BLOCK_MAX;
}

/* The size class of a small size (0 .. LB_BLOCK_MAX / 16 - 1). */
static inline size_t lb_block_class(size_t size) { return (size - 1) / 16; }

/* A block of at least size bytes (small), or NULL. */
void *lb_blocks_alloc(lb_blocks *k, size_t size);

/* Takes back block p of that (small) size. */
void lb_blocks_free(lb_blocks *k, void *p, size_t size);

/* Frees every cached block. */
void lb_blocks_release(lb_blocks *k);

#endif
