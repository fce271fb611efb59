/*
 * test_domain_tmpl.c - unit tests for domain_tmpl.c: rendering every
 * placeholder (the name XML-escaped, sizes rounded up, KiB and MiB), the
 * check's errors with their line and column, UUIDs, XML escaping.
 */
#include "check.h"
#include "domain_tmpl.h"

#include <stdlib.h>

static const char OK[] = "<domain type='{{domain_type}}'>\n"
                         "  <name>{{name}}</name><uuid>{{uuid}}</uuid>\n"
                         "  <memory unit='KiB'>{{memory_kib}}</memory>"
                         "<currentMemory unit='MiB'>{{memory_mib}}</currentMemory>\n"
                         "  <vcpu>{{vcpus}}</vcpu><description>{a} {{x</description>\n"
                         "</domain>\n";

static void test_render(void)
{
    vp_tmpl_vars v = {"a<b&'c", "12345678-1234-4234-8234-123456789abc", "test",
                      vp_res_make(2.5, 1000.2, 0, 0)};
    int line = -1, column = -1;
    vp_err err = {0};
    char ok2[sizeof OK];
    snprintf(ok2, sizeof ok2, "%s", OK);
    *strstr(ok2, "{{x") = ' '; /* "{{x" alone is not a placeholder: see test_errors */
    CHECK_EQ_INT(vp_tmpl_check(ok2, &line, &column, &err), 0);
    char *xml = vp_tmpl_render(ok2, &v);
    CHECK_STR_HAS(xml, "<domain type='test'>\n");
    CHECK_STR_HAS(xml, "<name>a&lt;b&amp;&apos;c</name>");
    CHECK_STR_HAS(xml, "<uuid>12345678-1234-4234-8234-123456789abc</uuid>");
    CHECK_STR_HAS(xml, "<memory unit='KiB'>1025024</memory>"); /* 1001 MiB */
    CHECK_STR_HAS(xml, "<currentMemory unit='MiB'>1001</currentMemory>");
    CHECK_STR_HAS(xml, "<vcpu>3</vcpu><description>{a}  {x</description>\n</domain>\n");
    free(xml);
    v.size = vp_res_make(0.2, 0.1, 0, 0); /* at least 1 of each */
    xml = vp_tmpl_render("{{name}}{{vcpus}}/{{memory_mib}}", &v);
    CHECK(xml && !strcmp(xml, "a&lt;b&amp;&apos;c1/1"));
    free(xml);
    CHECK(vp_tmpl_render("{{name}} {{bad}}", &v) == NULL);
}

/* text must fail the check at line:column with a message containing what. */
static void expect_bad(const char *text, int line, int column, const char *what)
{
    int l = -1, c = -1;
    vp_err err = {0};
    CHECK_EQ_INT(vp_tmpl_check(text, &l, &c, &err), -1);
    CHECK_EQ_INT(l, line);
    CHECK_EQ_INT(c, column);
    CHECK_STR_HAS(err.text, what);
}

static void test_errors(void)
{
    expect_bad(OK, 4, 42, "unknown placeholder '{{x</description>' (expected one of: {{name}}");
    expect_bad("<a>\n <b>{{ name }}</b>", 2, 5, "unknown placeholder '{{ name }}'");
    expect_bad("{{name}}{{vcpus}}{{memory_gib}}", 1, 18, "unknown placeholder '{{memory_gib}}'");
    expect_bad("{{vcpus}} {{memory_mib}}", 0, 0, "must use {{name}}");
    expect_bad("{{name}} {{memory_mib}}", 0, 0, "must use {{vcpus}}");
    expect_bad("{{name}} {{vcpus}}", 0, 0, "must use {{memory_mib}} or {{memory_kib}}");
}

static void test_uuid(void)
{
    char a[37], b[37];
    vp_tmpl_uuid(a);
    vp_tmpl_uuid(b);
    CHECK_EQ_INT(strlen(a), 36);
    CHECK(strcmp(a, b) != 0);
    CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
    CHECK(a[14] == '4');                   /* version 4 */
    CHECK(strchr("89ab", a[19]) != NULL); /* RFC 4122 variant */
}

int main(void)
{
    test_render();
    test_errors();
    test_uuid();
    return CHECK_DONE();
}
