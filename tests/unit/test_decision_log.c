/* test_decision_log.c - the API's ring of engine events: order, seq
 * numbers, dropping the oldest when full. */
#include "check.h"
#include "decision_log.h"

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

int main(void)
{
    test_fill_and_wrap();
    vp_decision_log_free(NULL);
    return CHECK_DONE();
}
