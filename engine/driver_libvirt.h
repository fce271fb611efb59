/*
 * driver_libvirt.h - the libvirt hypervisor driver (first increment).
 *
 * Provides: a vp_driver whose hosts are libvirt connections, one URI per
 * host (qemu+tcp://.../system, qemu:///system, test:///abs/path.xml).
 * libvirt's events run on the real-time clock's libev loop
 * (virt_events.h).  Implemented: open/close a host, list its domains,
 * sample them (virConnectGetAllDomainStats), create a VM from its VM
 * type's domain XML template or a minimal domain, destroy (and undefine) it, lifecycle events
 * counted per host and forwarded to an optional callback, a host whose
 * connection closes marked down in the pool, a host's capacity
 * (virNodeGetInfo) and one domain's size and state, and live migration
 * on worker threads (below), a host whose connection drops marked down
 * and reconnected with exponential back-off (a timer on the loop),
 * resize (vCPUs and memory, on the live domain and its config).  Not
 * yet: migration progress from job stats.
 * Uses: driver.h, pool.h, clock.h, virt_events.h, libvirt.
 *
 * VMs are matched to pool VMs by name.  create(), destroy() and resize() call
 * libvirt synchronously on the loop thread and report done() on the next
 * loop iteration (a zero-delay timer); a libvirt failure is returned at
 * once as -1 with libvirt's message.
 *
 * migrate() checks on the loop thread that the VM's pool host and the
 * destination are open, up and different, that the domain runs on the
 * source and is not already migrating; then a pthread worker calls
 * virDomainMigrateToURI3 on the source connection (live, peer-to-peer,
 * persistent on the destination, undefined on the source; the
 * destination's URI; VIR_MIGRATE_PARAM_BANDWIDTH) and reports through an
 * ev_async (queue + mutex).  done() runs on the loop thread: 0, or -1
 * with libvirt's message (the domain then stays on its source).  When the
 * completion timeout expires the loop calls virDomainAbortJob and the
 * message starts "timed out after N s and aborted: ".  Workers call
 * libvirt off the loop thread, which virt_events.c supports.
 */
#ifndef VP_DRIVER_LIBVIRT_H
#define VP_DRIVER_LIBVIRT_H

#include "clock.h"
#include "config.h"
#include "driver.h"

/* A domain lifecycle event on host: vm is the domain name, event one of
 * "defined", "undefined", "started", "suspended", "resumed", "stopped",
 * "shutdown", "pmsuspended", "crashed" (or "unknown").  Both strings are
 * only valid during the call. */
typedef void (*vp_libvirt_event_cb)(void *ud, vp_id host, const char *vm, const char *event);

/* pool and clock are borrowed and must outlive the driver; clock must be
 * a real-time clock (its libev loop runs libvirt's events).  Registers
 * the libvirt event implementation on that loop. */
vp_driver *vp_libvirt_driver_new(vp_pool *pool, vp_clock *clock, vp_err *err) VP_WUR;

/* Domain XML templates: a VM whose type (vp_vm.type) indexes an entry
 * of types[0..n) with a domain_xml_text is defined from that template
 * (domain_tmpl.h); any other VM from vp_libvirt_domain_xml.  types is
 * borrowed (the config's vm_types) and must outlive the driver. */
void vp_libvirt_set_templates(vp_driver *d, const vp_vm_type *types, size_t n);

/* Migration defaults: bandwidth limit (MiB/s) and completion timeout (s). */
#define VP_LIBVIRT_MIG_BANDWIDTH 1024ull
#define VP_LIBVIRT_MIG_TIMEOUT 600.0

/* Settings for the migrations started from now on: bandwidth_mib is
 * libvirt's limit in MiB/s (0 = libvirt's own default, no limit);
 * timeout_s the completion timeout (<= 0: none). */
void vp_libvirt_set_migration(vp_driver *d, unsigned long long bandwidth_mib, double timeout_s);

/* Migrations started and not yet reported through done(). */
unsigned vp_libvirt_migrations_active(const vp_driver *d);

/* Reconnect back-off defaults (s): the first attempt after RETRY_MIN,
 * each next one after twice the delay, at most RETRY_MAX. */
#define VP_LIBVIRT_RETRY_MIN 1.0
#define VP_LIBVIRT_RETRY_MAX 60.0

/* A host whose connection dropped (up false: why names libvirt's reason
 * and the first delay) or came back (up true; why says after how many
 * failed attempts).  Called on the loop thread; the pool already has the
 * host down (or back in the state it had).  why is only valid during the
 * call. */
typedef void (*vp_libvirt_host_cb)(void *ud, vp_id host, bool up, const char *why);

/* The reconnect back-off: min_s > 0, max_s (>= min_s). */
void vp_libvirt_set_reconnect(vp_driver *d, double min_s, double max_s);

/* Where host up/down changes go (NULL for nowhere). */
void vp_libvirt_set_host_cb(vp_driver *d, vp_libvirt_host_cb cb, void *ud);

/* The state of an open host's connection. */
typedef struct vp_libvirt_link {
    bool up;           /* false while reconnecting */
    unsigned failed;   /* reconnect attempts that failed since the drop */
    double next_delay; /* s before the next attempt (0 when up) */
} vp_libvirt_link;

/* 0 with *out, or -1 if host is not open on the driver. */
int vp_libvirt_host_link(const vp_driver *d, vp_id host, vp_libvirt_link *out);

/* Treats host's connection as dropped, exactly as libvirt's close
 * callback does (for tests: the test driver's connections never drop;
 * and to force a reconnect).  The old connection is released at the
 * first successful attempt. */
void vp_libvirt_drop_host(vp_driver *d, vp_id host, const char *why);

/* Forwards every lifecycle event to cb (NULL to stop). */
void vp_libvirt_set_event_cb(vp_driver *d, vp_libvirt_event_cb cb, void *ud);

/* Lifecycle events of kind `event` (a name as above) seen on host since
 * it was opened; 0 for an unknown host or kind. */
unsigned vp_libvirt_event_count(const vp_driver *d, vp_id host, const char *event);

/* The capacity of an open host from virNodeGetInfo: cpu = logical CPUs,
 * memory = MiB (disk and network 0).  0, or -1 with libvirt's message. */
int vp_libvirt_host_capacity(vp_driver *d, vp_id host, vp_res *res, vp_err *err) VP_WUR;

/* The domain called name on an open host: *out gets its size (vcpus,
 * maximum memory in MiB) and whether it runs; out->name is name.  0, or
 * -1 with libvirt's message (e.g. no such domain). */
int vp_libvirt_domain_info(vp_driver *d, vp_id host, const char *name, vp_driver_vm_info *out,
                           vp_err *err) VP_WUR;

/* The XML libvirt has for the domain called name on an open host
 * (virDomainGetXMLDesc): a malloc'd string, or NULL with libvirt's
 * message. */
char *vp_libvirt_domain_desc(vp_driver *d, vp_id host, const char *name, vp_err *err) VP_WUR;

/* A minimal domain XML for a VM called name of the given size: vcpus =
 * ceil(cpu), memory = ceil(MiB), both at least 1; domain_type is libvirt's
 * (<domain type=...>: "test", "kvm", "qemu").  The name is XML-escaped.
 * Returns a malloc'd string, or NULL when out of memory. */
char *vp_libvirt_domain_xml(const char *name, vp_res size, const char *domain_type);

#endif
