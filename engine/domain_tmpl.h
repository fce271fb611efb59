/*
 * domain_tmpl.h - libvirt domain XML templates of VM types.
 *
 * Provides: checking a template's placeholders (config.c, when the
 * config names a template file) and rendering a template for one VM
 * (driver_libvirt.c, at create time); XML escaping.
 * Uses: err.h.
 *
 * A template is libvirt domain XML with placeholders "{{NAME}}":
 *   {{name}}         the VM's name, XML-escaped
 *   {{uuid}}         a fresh random UUID (RFC 4122 version 4)
 *   {{vcpus}}        vCPUs: ceil(cpu), at least 1
 *   {{memory_mib}}   memory in MiB: ceil(memory), at least 1
 *   {{memory_kib}}   the same in KiB (x 1024)
 *   {{domain_type}}  libvirt's domain type for the host: "test" on the
 *                    test driver, "kvm" elsewhere
 * Every "{{" must open one of these, closed by "}}" (no spaces).  A
 * template must use {{name}} (domains are matched to VMs by name),
 * {{vcpus}} and {{memory_mib}} or {{memory_kib}} (the pool accounts the
 * VM's size, so the domain must have it).
 */
#ifndef VP_DOMAIN_TMPL_H
#define VP_DOMAIN_TMPL_H

#include <stdio.h>

#include "err.h"
#include "resources.h"

typedef struct vp_tmpl_vars {
    const char *name;
    const char *uuid;        /* 36 characters */
    const char *domain_type; /* "test", "kvm", ... */
    vp_res size;             /* cpu = vCPUs, memory = MiB */
} vp_tmpl_vars;

/* Checks text: 0, or -1 with err's text saying what is wrong and *line,
 * *column (1-based, columns in bytes) where (0, 0 for a missing
 * placeholder). */
int vp_tmpl_check(const char *text, int *line, int *column, vp_err *err) VP_WUR;

/* text with its placeholders replaced; a malloc'd string, or NULL when
 * text does not pass vp_tmpl_check or memory runs out. */
char *vp_tmpl_render(const char *text, const vp_tmpl_vars *vars);

/* A random version 4 UUID into out (37 bytes, with the NUL). */
void vp_tmpl_uuid(char out[37]);

/* Writes s to f with XML's five special characters escaped. */
void vp_xml_escape(FILE *f, const char *s);

#endif
