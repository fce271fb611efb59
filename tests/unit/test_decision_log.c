/* test_decision_log.c - the API's ring of engine events: order, seq
 * numbers, dropping the oldest when full; the JSON-lines file keeps every
 * entry, appended. */
#include "check.h"
#include "decision_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *entry(int k) { return json_pack("{s:i}", "k", k); }

static int k_of(const vp_decision_log *l, size_t i)
{
    return (int)json_integer_value(json_object_get(vp_decision_log_get(l, i), "k"));
}

static void test_fill_and_wrap(void)
{
    vp_decision_log *l = vp_decision_log_new(3);
    CHECK_EQ_INT(vp_decision_log_len(l), 0);
    CHECK(vp_decision_log_get(l, 0) == NULL);
    vp_decision_log_add(l, entry(1));
    vp_decision_log_add(l, entry(2));
    CHECK_EQ_INT(vp_decision_log_len(l), 2);
    CHECK_EQ_INT(k_of(l, 0), 1);
    CHECK_EQ_INT(k_of(l, 1), 2);
    for (int k = 3; k <= 7; k++)
        vp_decision_log_add(l, entry(k));
    CHECK_EQ_INT(vp_decision_log_len(l), 3);
    CHECK_EQ_INT(vp_decision_log_total(l), 7);
    CHECK_EQ_INT(k_of(l, 0), 5); /* the oldest kept */
    CHECK_EQ_INT(k_of(l, 2), 7);
    CHECK_EQ_INT(json_integer_value(json_object_get(vp_decision_log_get(l, 2), "seq")), 7);
    CHECK(vp_decision_log_get(l, 3) == NULL);
    vp_decision_log_add(l, NULL); /* ignored */
    CHECK_EQ_INT(vp_decision_log_total(l), 7);
    vp_decision_log_free(l);
}

/* The file has every entry (also those the ring dropped), one JSON
 * object per line with its seq; a second log appends. */
static void test_file(void)
{
    char path[] = "/tmp/vp_dlog_XXXXXX";
    int fd = mkstemp(path);
    vp_err err = {0};
    CHECK(fd >= 0);
    close(fd);
    vp_decision_log *l = vp_decision_log_new(2);
    CHECK_EQ_INT(vp_decision_log_open(l, path, &err), 0);
    for (int k = 1; k <= 3; k++)
        vp_decision_log_add(l, entry(k));
    vp_decision_log_free(l);
    l = vp_decision_log_new(2);
    CHECK_EQ_INT(vp_decision_log_open(l, path, &err), 0);
    vp_decision_log_add(l, entry(4));
    CHECK_EQ_INT(vp_decision_log_write_errors(l), 0);
    vp_decision_log_free(l);
    FILE *f = fopen(path, "r");
    char line[256];
    const char *want[] = {"{\"k\":1,\"seq\":1}\n", "{\"k\":2,\"seq\":2}\n",
                          "{\"k\":3,\"seq\":3}\n", "{\"k\":4,\"seq\":1}\n"};
    for (int i = 0; i < 4; i++)
        CHECK(f && fgets(line, sizeof line, f) && !strcmp(line, want[i]));
    CHECK(f && !fgets(line, sizeof line, f));
    if (f)
        fclose(f);
    unlink(path);
    l = vp_decision_log_new(1);
    CHECK_EQ_INT(vp_decision_log_open(l, "/nonexistent-dir/x.jsonl", &err), -1);
    CHECK_STR_HAS(err.text, "cannot open the decision log /nonexistent-dir/x.jsonl");
    vp_decision_log_free(l);
}

int main(void)
{
    test_fill_and_wrap();
    test_file();
    vp_decision_log_free(NULL);
    return CHECK_DONE();
}
