/*
 * test_blocks.c - unit tests for blocks.c: the small-block cache of the
 * Lua states' allocator (reuse within a size class, the class edges, the
 * cap on cached bytes, release).
 */
#include "blocks.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void test_reuse(void)
{
    lb_blocks k = {0};
    char *p = lb_blocks_alloc(&k, 100);
    CHECK(p != NULL);
    p[0] = p[99] = 7; /* usable up to the size asked */
    lb_blocks_free(&k, p, 100);
    CHECK_EQ_INT(k.cached, 112);
    CHECK(lb_blocks_alloc(&k, 97) == p); /* same class: the same block */
    CHECK_EQ_INT(k.cached, 0);
    lb_blocks_free(&k, p, 97);
    char *q = lb_blocks_alloc(&k, 96); /* the class below: a new block */
    CHECK(q != p);
    lb_blocks_free(&k, q, 96);
    CHECK_EQ_INT(k.cached, 112 + 96);
    lb_blocks_release(&k);
    CHECK_EQ_INT(k.cached, 0);
    for (size_t c = 0; c < LB_BLOCK_MAX / 16; c++)
        CHECK(k.list[c] == NULL);
}

static void test_classes(void)
{
    CHECK(!lb_block_small(0));
    CHECK(lb_block_small(1) == LB_BLOCKS_ON); /* all to malloc under ASan */
    CHECK(lb_block_small(LB_BLOCK_MAX) == LB_BLOCKS_ON);
    CHECK(!lb_block_small(LB_BLOCK_MAX + 1));
    CHECK_EQ_INT(lb_block_class(1), 0);
    CHECK_EQ_INT(lb_block_class(16), 0);
    CHECK_EQ_INT(lb_block_class(17), 1);
    CHECK_EQ_INT(lb_block_class(LB_BLOCK_MAX), LB_BLOCK_MAX / 16 - 1);
}

/* Past LB_BLOCKS_CACHED bytes, freed blocks go back to free. */
static void test_cap(void)
{
    lb_blocks k = {0};
    size_t n = LB_BLOCKS_CACHED / LB_BLOCK_MAX + 10;
    void **v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = lb_blocks_alloc(&k, LB_BLOCK_MAX);
    for (size_t i = 0; i < n; i++)
        lb_blocks_free(&k, v[i], LB_BLOCK_MAX);
    CHECK_EQ_INT(k.cached, LB_BLOCKS_CACHED);
    size_t listed = 0;
    for (void *b = k.list[LB_BLOCK_MAX / 16 - 1]; b; memcpy(&b, b, sizeof b))
        listed++;
    CHECK_EQ_INT(listed, LB_BLOCKS_CACHED / LB_BLOCK_MAX);
    lb_blocks_release(&k);
    free(v);
}

int main(void)
{
    test_reuse();
    test_classes();
    test_cap();
    return CHECK_DONE();
}
