/*
 * config.h - the engine configuration, read from JSON with jansson.
 *
 * Provides: vp_config, loaded and fully validated from a file or a
 * string.  Either the whole file is valid and a config is returned, or
 * NULL is returned with an error naming the file, line, column and field
 * (a JSON path such as "hosts[1].type"): nothing is half-configured.
 * Unknown fields are errors.  Relative paths in the file are resolved
 * against the directory of the config file.
 * Uses: jansson, json_locate.h (positions of fields), err.h, resources.h.
 *
 * Schema (every field optional unless marked required; units in brackets):
 *
 * {
 *   "host_types": [ {                       required if any host has "type"
 *       "name": "ml110-g5",                 required, unique
 *       "cpu": 5320, "memory": 4096,        capacity [cpu units, MiB], required
 *       "disk": 0, "network": 1000,         [GiB, Mbit/s], default 0
 *       "cores": 2,                         cores the cpu capacity is made of, default 1
 *                                           (recorded for policies and reports; the
 *                                           engine accounts the cpu total only)
 *       "overcommit": {"cpu": 1.0, "memory": 1.0, "disk": 1.0, "network": 1.0},
 *       "power": [93.7, 97, ... , 135]      watts at 0 %, 10 %, ... 100 % cpu
 *                                           (exactly 11 numbers, non-decreasing)
 *   } ],
 *   "hosts": [                              required, at least one
 *     {"type": "ml110-g5", "count": 400, "name": "g5-%d"}  simulated hosts;
 *                                           "%d" in name -> 0..count-1
 *                                           (default name "<type>-%d"); "type" may be
 *                                           an array of up to 16 types the hosts cycle
 *                                           through (host k: types[k % n]; needs "name")
 *     {"name": "kvm1", "uri": "qemu+tcp://10.0.0.1/system"} a libvirt host;
 *                                           "test:FILE.xml" (no slash after "test:")
 *                                           is libvirt's test driver on FILE.xml,
 *                                           relative to the config, which must exist
 *   ],                                      all hosts simulated, or all libvirt
 *   "vm_types": [ {"name": "small", "cpu": 500, "memory": 613,
 *                  "disk": 0, "network": 0,
 *                  "domain_xml": "small.xml"} ], libvirt hosts: the domain XML
 *                                           template of VMs created with this type
 *                                           (read and checked at load; see
 *                                           domain_tmpl.h for its placeholders)
 *   "policies": {"placement": "p.lua", "balance": "b.lua",
 *                "reservation": "r.lua", "migration": "m.lua"},
 *                                           files must exist; absent = default; a slot
 *                                           may also be {"file": "p.lua", "params":
 *                                           {"safety": 1.2}}: fields set on the
 *                                           script's table before its self_test
 *   "intervals": {"sample": 300, "balance": 300, "reservation": 300} [s, > 0]
 *   "limits": {
 *       "migrations_per_host": 2,           concurrent, per host (0 = no limit)
 *       "migrations_total": 0,              concurrent, whole pool (0 = no limit)
 *       "migration_bandwidth_share": 0.5,   of a host's network used by a migration, (0,1]
 *       "policy_instructions": 10000000,    per policy call, >= 1000
 *       "policy_memory_mb": 64,             per policy state, >= 1
 *       "history_samples": 30,              utilization samples kept per VM/host, 1..4096
 *       "placement_candidates": 0,          hosts offered to placement per decision
 *                                           (0 = every host that fits; see engine.h)
 *       "shutdown_grace": 60,               [s] in [0, 86400]: on SIGTERM/SIGINT (or
 *                                           --duration) `serve` lets running migrations
 *                                           finish this long, then aborts them
 *       "migration_bandwidth": 1024,        [MiB/s] libvirt hosts: a migration's bandwidth
 *                                           limit, integer >= 0 (0 = no limit)
 *       "migration_progress": 0,            [s] in [0, 86400]: report how far each running
 *                                           migration is this often (migration_progress
 *                                           events; libvirt: the job stats); 0 = never
 *       "migration_timeout": 600            [s] in [0, 604800], libvirt hosts: a migration
 *                                           still running after this is aborted (0 = never)
 *   },
 *   "api": {                                the control API of `vmpilot serve`
 *       "listen": "127.0.0.1:5000",         IPv4 HOST:PORT (or localhost:PORT), [IPv6]:PORT,
 *                                           or "none";
 *                                           default 127.0.0.1:5000; port 0 = any free one
 *       "unix_socket": "/run/vmpilot.sock", also listen on this unix socket (path
 *                                           resolved against the config's folder)
 *       "token": "s3cret",                  bearer token every request must carry;
 *                                           required when listen is not a loopback address
 *       "decision_log": "decisions.jsonl"   also append every entry of the decision log
 *                                           (GET /v1/decisions) to this file as a JSON
 *                                           line (resolved against the config's folder,
 *                                           which must hold its folder)
 *   },
 *   "simulation": {
 *       "trace": "traces/20110303",         required for simulate: PlanetLab folder
 *       "order": "traces/20110303.order",   optional order file ("index<TAB>file")
 *       "duration": 86400,                  [s], > 0, default: samples x step (a day
 *                                           of 288 five-minute samples = 86400 s)
 *       "step": 300,                        seconds per trace sample, > 0
 *       "vm_types": "blocks",               "blocks" (VM i gets type i / ceil(N/T))
 *                                           or "round-robin" (type i % T)
 *       "max_vms": 0,                       use only the first N trace files (0 = all)
 *       "replicate": 1,                     R copies of the VM set (scaled runs), 1..1000
 *       "model": "engine",                  "engine": the engine's own accounting;
 *                                           "cloudsim": CloudSim 3.0.3's host model
 *                                           and metrics (engine/cloudsim.h)
 *       "energy": "power-aware"             "power-aware": P(u), 0 W when off;
 *                                           "always-on": every host at full power
 *                                           all the time (CloudSim's NPA); cloudsim
 *                                           model only
 *   }
 * }
 */
#ifndef VP_CONFIG_H
#define VP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "resources.h"

#define VP_POWER_POINTS 11

typedef enum vp_slot {
    VP_SLOT_PLACEMENT,
    VP_SLOT_BALANCE,
    VP_SLOT_RESERVATION,
    VP_SLOT_MIGRATION,
    VP_SLOT_N
} vp_slot;

/* "placement", "balance", "reservation", "migration". */
extern const char *const vp_slot_names[VP_SLOT_N];

typedef struct vp_host_type {
    char *name;
    vp_res capacity;
    vp_res overcommit;
    int cores;
    bool has_power;
    double power[VP_POWER_POINTS]; /* watts at 0, 10, ..., 100 % cpu */
} vp_host_type;

typedef struct vp_vm_type {
    char *name;
    vp_res size;
    char *domain_xml;      /* the template's path (resolved), NULL if none */
    char *domain_xml_text; /* its text, checked by vp_tmpl_check */
} vp_vm_type;

typedef struct vp_host_conf {
    char *name;
    int type;  /* index into host_types, -1 for a libvirt host */
    char *uri; /* NULL for a simulated host */
} vp_host_conf;

typedef enum vp_vm_type_rule { VP_VMTYPES_BLOCKS, VP_VMTYPES_ROUND_ROBIN } vp_vm_type_rule;
typedef enum vp_sim_model { VP_SIM_ENGINE, VP_SIM_CLOUDSIM } vp_sim_model;
typedef enum vp_sim_energy { VP_ENERGY_POWER_AWARE, VP_ENERGY_ALWAYS_ON } vp_sim_energy;

typedef struct vp_config {
    char *path; /* the file, or the source name given for a string */
    vp_host_type *host_types;
    size_t n_host_types;
    vp_vm_type *vm_types;
    size_t n_vm_types;
    vp_host_conf *hosts; /* expanded: one entry per host */
    size_t n_hosts;
    bool simulated;      /* true when the hosts are simulated */
    char *policy[VP_SLOT_N]; /* absolute or as given; NULL = default */
    char *policy_params[VP_SLOT_N]; /* JSON object text, or NULL */
    struct {
        double sample, balance, reservation;
    } intervals;
    struct {
        int migrations_per_host;
        int migrations_total;
        double migration_bandwidth_share;
        long policy_instructions;
        long policy_memory_mb;
        int history_samples;
        size_t placement_candidates;
        double shutdown_grace;
        unsigned long long migration_bandwidth; /* MiB/s, libvirt; 0 = no limit */
        double migration_timeout;                /* s, libvirt; 0 = none */
        double migration_progress;               /* s between progress reports; 0 = none */
    } limits;
    struct {
        char *listen;      /* "HOST:PORT" or "none"; never NULL */
        char *unix_socket; /* NULL if none */
        char *token;       /* NULL if none */
        char *decision_log; /* JSON-lines file of the decision log; NULL if none */
    } api;
    struct {
        char *trace; /* NULL if the config has no simulation section */
        char *order;
        double duration; /* 0 = the trace's length */
        double step;
        vp_vm_type_rule vm_types;
        size_t max_vms;
        vp_sim_model model;
        vp_sim_energy energy;
        size_t replicate; /* copies of the trace's VM set, >= 1 */
    } sim;
} vp_config;

/* Loads and validates path.  NULL with err (source, line, column, field,
 * text) on any problem. */
vp_config *vp_config_load(const char *path, vp_err *err) VP_WUR;

/* Same from text; source names it in errors and base_dir resolves
 * relative paths (NULL = current directory). */
vp_config *vp_config_load_string(const char *text, const char *source, const char *base_dir,
                                 vp_err *err) VP_WUR;

void vp_config_free(vp_config *cfg);

/* Room for an IPv4 or IPv6 address as text (INET6_ADDRSTRLEN). */
#define VP_IP_LEN 46

/* An API listen address: "HOST:PORT" with HOST an IPv4 address or
 * "localhost" (127.0.0.1), or "[ADDR]:PORT" with ADDR an IPv6 address;
 * PORT 0..65535; or "none" (*port = -1).  ip gets the address as text
 * (an IPv6 one has a ':', no brackets); *loopback whether it is in
 * 127.0.0.0/8 or is ::1 (or ::ffff:127.x.y.z).  0, or -1 with err saying
 * what is wrong. */
int vp_listen_parse(const char *s, char ip[VP_IP_LEN], int *port, bool *loopback, vp_err *err);

/* Checks listen and token together: a listen address that is not
 * loopback needs a token.  0, or -1 with err. */
int vp_listen_check(const char *listen, const char *token, vp_err *err);

/* Index of a host or VM type by name, -1 if none. */
int vp_config_host_type(const vp_config *cfg, const char *name);
int vp_config_vm_type(const vp_config *cfg, const char *name);

#endif
