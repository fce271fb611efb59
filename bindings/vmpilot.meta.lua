---@meta vmpilot
-- vmpilot.meta.lua - LuaLS / EmmyLua annotations for the `vmpilot` Lua
-- module (bindings/*.c): the classes policies receive and build, the
-- statistics helpers, and the four decision-slot signatures.  Not loaded
-- at run time; point your editor's Lua language server at this file.
--
-- Units (the config's): cpu in the host's cpu units (cores, or MIPS in
-- the PlanetLab model), memory in MiB, disk in GiB, network in Mbit/s.
-- Utilizations and history samples are fractions (0.5 = 50 %).
--
-- Proxies.  Host, Vm, History, Migration, HostList and the engine's Pool are
-- proxies onto the engine's pool: every read goes to the pool as it is
-- now, and they are valid only during the policy call that received
-- them; using one in a later call raises "Host proxy used after the
-- policy call that received it ended (keep names or ids, not proxies,
-- across calls)".  Within one call (or for one plain-Lua Pool) the same
-- host or VM is always the same object, so proxies work as table keys.
-- Reading a field a class does not have, or assigning any field, raises.

---@class vmpilot
---@field version string  version of the Lua API, "0.1.0"
---@field stats vmpilot.stats  statistics over Lua arrays of numbers
local vmpilot = {}

-- ====== Resources ======

---An immutable (cpu, memory, disk, network) vector.  Arithmetic: `a + b`,
---`a - b`, `-a` (Resources); `a * k`, `k * a`, `a / k` (k a number).
---Comparisons: `a == b` exact; `a <= b` every component <= (within a
---relative 1e-9, as the engine's fit test); `a < b` means `a <= b` and not
---`b <= a`.  `tostring(r)` is "Resources{cpu=2, memory=4096, disk=0,
---network=0}" (%g).  Fields are read-only.
---@class Resources
---@field cpu number      cpu units
---@field memory number   MiB
---@field disk number     GiB
---@field network number  Mbit/s
---@operator add(Resources): Resources
---@operator sub(Resources): Resources
---@operator mul(number): Resources
---@operator div(number): Resources
---@operator unm: Resources
local Resources = {}

---True when every component is <= limit's (within a relative 1e-9).
---@param limit Resources
---@return boolean
function Resources:fits(limit) end

---Name of the first resource ("cpu", "memory", "disk", "network") over
---limit (within a relative 1e-9), or nil when none is.
---@param limit Resources
---@return string|nil
function Resources:over(limit) end

---Component-wise maximum.
---@param other Resources
---@return Resources
function Resources:max(other) end

---Component-wise minimum.
---@param other Resources
---@return Resources
function Resources:min(other) end

---The largest share self / capacity over the components whose capacity
---is > 0 (a fraction), and that component's name; 0, nil when no
---capacity component is > 0.
---@param capacity Resources
---@return number share
---@return string|nil resource
function Resources:dominant_share(capacity) end

---True when every component is exactly 0.
---@return boolean
function Resources:is_zero() end

---True when no component is negative.
---@return boolean
function Resources:nonneg() end

---@class vmpilot.ResourcesFields
---@field cpu? number
---@field memory? number
---@field disk? number
---@field network? number

---Makes a Resources: `Resources{cpu=, memory=, disk=, network=}` (missing
---fields are 0; other fields or non-numbers are errors), or positional
---`Resources(cpu, memory, disk, network)` (missing arguments are 0), or a
---copy `Resources(r)`.
---@overload fun(fields: vmpilot.ResourcesFields): Resources
---@overload fun(r: Resources): Resources
---@param cpu? number
---@param memory? number
---@param disk? number
---@param network? number
---@return Resources
function vmpilot.Resources(cpu, memory, disk, network) end

-- ====== History ======

---A VM's or host's cpu utilization samples, one per sample round: cpu
---demand / cpu size (VM) or cpu demand / cpu capacity (host), stored in
---single precision; at most the pool's history_length.  `#h` is the
---number of samples; `h[i]` is sample i, 1 = newest (nil outside 1..#h).
---Every statistic returns nil when there are no samples.
---@class History
---@field [integer] number|nil
---@operator len: integer
local History = {}

---The samples, newest first ({} when empty).
---@return number[]
function History:values() end

---The newest n samples, newest first (all of them if fewer; {} when empty).
---@param n integer  >= 0
---@return number[]
function History:last(n) end

---The newest n samples (default all), newest first, as a Series (held in
---C: vmpilot.stats reads it without a Lua table).
---@param n? integer  >= 0
---@return Series
function History:series(n) end

---Arithmetic mean (a fraction); nil when empty.
---@return number|nil
function History:mean() end

---Median (mean of the two middle samples for an even count); nil when empty.
---@return number|nil
function History:median() end

---Median absolute deviation: median of |x - median|, not scaled by
---1.4826; nil when empty.
---@return number|nil
function History:mad() end

---The q-quantile, R's type 7: with the samples sorted x[0..n-1] and
---h = (n - 1) q, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]);
---nil when empty.  q outside [0, 1] is an error.
---@param q number  in [0, 1]
---@return number|nil
function History:quantile(q) end

---Interquartile range, quantile(0.75) - quantile(0.25); nil when empty.
---@return number|nil
function History:iqr() end

---Sample standard deviation (divides by n - 1); nil for fewer than 2 samples.
---@return number|nil
function History:stdev() end

---Smallest sample; nil when empty.
---@return number|nil
function History:min() end

---Largest sample; nil when empty.
---@return number|nil
function History:max() end

---Least-squares line through (1, oldest), ..., (n, newest): slope (per
---sample round) and intercept, so the next sample is predicted at
---x = n + 1.  One sample: slope 0, intercept that sample.  nil when empty.
---@return number|nil slope
---@return number|nil intercept
function History:trend() end

---The trend line k sample rounds after the newest sample (k = 1 by
---default; 0 gives the fitted newest sample); nil when empty.
---@param k? number
---@return number|nil
function History:predict(k) end

---Statistics over a Lua array of numbers, the same computations as the
---History methods; each returns nil for an empty array (stdev also for a
---single number).  Non-number elements are errors.
---@class vmpilot.stats
vmpilot.stats = {}

---@param xs number[]
---@return number|nil
function vmpilot.stats.mean(xs) end

---@param xs number[]
---@return number|nil
function vmpilot.stats.median(xs) end

---Median of |x - median|, unscaled.
---@param xs number[]
---@return number|nil
function vmpilot.stats.mad(xs) end

---R type 7 quantile (see History:quantile).
---@param xs number[]
---@param q number  in [0, 1]
---@return number|nil
function vmpilot.stats.quantile(xs, q) end

---quantile(0.75) - quantile(0.25).
---@param xs number[]
---@return number|nil
function vmpilot.stats.iqr(xs) end

---Sample standard deviation (n - 1); nil for fewer than 2 numbers.
---@param xs number[]
---@return number|nil
function vmpilot.stats.stdev(xs) end

---@param xs number[]
---@return number|nil
function vmpilot.stats.min(xs) end

---@param xs number[]
---@return number|nil
function vmpilot.stats.max(xs) end

---Least-squares slope and intercept with x = 1..n.  The array is in TIME
---ORDER, OLDEST FIRST (History:values() is newest first: reverse it).
---@param xs number[]  oldest first
---@return number|nil slope
---@return number|nil intercept
function vmpilot.stats.trend(xs) end

---Intercept and slope through (1, ys[1]) ... (n, ys[n]) as commons-math's
---SimpleRegression computes them (its updating formulas); nil below 2.
---@param ys number[]|Series
---@return number|nil intercept
---@return number|nil slope
function vmpilot.stats.ols(ys) end

---ols of the n newest values of a newest-first series: through
---(1, xs[n]) ... (n, xs[1]), without a reversed copy; nil below n values.
---@param xs number[]|Series  newest first
---@param n integer  2..4096
---@return number|nil intercept
---@return number|nil slope
function vmpilot.stats.ols_newest(xs, n) end

---The k-th smallest values of xs (order statistics), one per rank given
---(ranks 1..#xs), without a sorted copy.
---@param xs number[]|Series
---@param ... integer  ranks
---@return number ...
function vmpilot.stats.order(xs, ...) end

---For each column, R^2 of its first m values (default: the shortest
---column) fitted on the other columns with an intercept (all from one
---inverse: r_squared's numbers up to rounding); nil if a fit cannot run.
---@param columns (number[]|Series)[]
---@param m? integer
---@return number[]|nil
function vmpilot.stats.r_squared_each(columns, m) end

---A new array of the numbers in ascending order.
---@param xs number[]|Series
---@return number[]
function vmpilot.stats.sorted(xs) end

-- ====== Series ======

---A read-only array of numbers held in C (what Plan:history returns):
---#s, s[i] (1-based, nil outside), ipairs; every vmpilot.stats function
---takes one.
---@class Series
local Series = {}

---@return number[]
function Series:values() end

---The first n values (all by default) in reverse order.
---@param n? integer
---@return Series
function Series:reversed(n) end

---@return Series  ascending
function Series:sorted() end

-- ====== HostList ======

---The candidate hosts of a placement decision (all fit the VM now), in
---host-id order; with limits.placement_candidates = K only K of the pool's
---hosts (a round-robin window).  #hosts, hosts[i] (1-based, nil past the
---end) and ipairs work; the queries run in C.  Valid during the call.
---@class HostList
---@field [integer] Host
local HostList = {}

---The hosts as a plain table (for table.sort and friends).
---@return Host[]
function HostList:list() end

---The candidate left with the least free `resource` after placing vm
---(ties: least memory left, then the earlier candidate), and that amount.
---nil when the list is empty.
---@param vm Vm
---@param resource? "cpu"|"memory"|"disk"|"network"  default "cpu"
---@return Host|nil, number
function HostList:tightest(vm, resource) end

---The candidate left with the most free `resource` after placing vm.
---@param vm Vm
---@param resource? "cpu"|"memory"|"disk"|"network"  default "cpu"
---@return Host|nil, number
function HostList:loosest(vm, resource) end

---A HostList of some of a pool's hosts, in the order given (specs, ops).
---@param pool Pool
---@param hosts Host[]
---@return HostList
function vmpilot.HostList(pool, hosts) end

-- ====== Plan ======

---A tentative copy of the pool's cpu accounting (CloudSim's
---over-subscription scheduler) that a policy changes while it plans moves;
---the pool itself never changes.  The searches run in C.  Valid during the
---call that made it.  Exclusion sets are numbered 1..8.
---@class Plan
local Plan = {}

---A plan of every host of a Pool, or of the hosts of a HostList or array.
---@param src Pool|HostList|Host[]
---@return Plan
function vmpilot.Plan(src) end

---The VMs tentatively on h in arrival order (only those not migrating,
---with "running").
---@param h Host
---@param which? "running"
---@return Vm[]
function Plan:vms(h, which) end

---@param h Host
---@return integer
function Plan:count(h) end

---vm goes onto h, allocated its request.
---@param h Host
---@param vm Vm
function Plan:add(h, vm) end

---Pending vm placed on h, as the pool accounts it until its first sample.
---@param h Host
---@param vm Vm
function Plan:create(h, vm) end

---vm leaves h; the rest are allocated again.
---@param h Host
---@param vm Vm
function Plan:remove(h, vm) end

---Requested cpu on h (with vm's request added when given).
---@param h Host
---@param vm? Vm
---@return number
function Plan:requested(h, vm) end

---@param h Host
---@return number  what h's VMs are allocated
function Plan:load(h) end

---@param h Host
---@return number
function Plan:available(h) end

---@param h Host
---@return number
function Plan:capacity(h) end

---The hosts that are up and hold VMs, in id order; with t, only those
---whose requested cpu / capacity is above t.
---@param t? number
---@return Host[]
function Plan:loaded(t) end

---@param vm Vm
---@return number  the cpu vm requests
function Plan:request(vm) end

---The running VM on h with the least of it (ties: the first to arrive).
---@param h Host
---@param what "memory"|"utilization"
---@return Vm|nil
function Plan:smallest(h, what) end

---h's cpu utilization history made of its VMs' (and vm's), newest first.
---@param h Host
---@param vm? Vm
---@param length? integer
---@return Series
function Plan:history(h, vm, length) end

---The largest size `resource` among h's VMs (and vm).
---@param h Host
---@param resource "cpu"|"memory"|"disk"|"network"
---@param vm? Vm
---@return number
function Plan:largest(h, resource, vm) end

---h's utilization at the last sample (fixed for the plan).
---@param h Host
---@return number
function Plan:utilization(h) end

---@param h Host
---@param vm Vm
---@return boolean
function Plan:suitable(h, vm) end

---@param h Host
---@param set integer
function Plan:exclude(h, set) end

---@param h Host
---@param set integer
---@return boolean
function Plan:excluded(h, set) end

---Hosts not up or idle at the last sample go into every set given.
---@param ... integer
function Plan:exclude_off(...) end

---Power-aware best fit: over the hosts up, in none of the sets and
---suitable, the least power increase (ties: the lower id); a host with
---load must pass accept (a function accept(host, vm, u) or a cpu
---threshold).  The host and the increase in watts, or nil.
---@param vm Vm
---@param sets integer[]
---@param accept? number|fun(host: Host, vm: Vm, u: number): boolean
---@return Host|nil, number
function Plan:best_fit_power(vm, sets, accept) end

---Every running VM of h, biggest request first, by best_fit_power; all of
---them or none (nil).
---@param h Host
---@param sets integer[]
---@param accept? number|fun(host: Host, vm: Vm, u: number): boolean
---@return vmpilot.Move[]|nil
function Plan:evacuate(h, sets, accept) end

---The VMs biggest request first, each by best_fit_power; a VM with no
---host is left out.
---@param vms Vm[]
---@param sets integer[]
---@param accept? number|fun(host: Host, vm: Vm, u: number): boolean
---@return vmpilot.Move[]
function Plan:place_each(vms, sets, accept) end

---The first suitable host in id order in none of the sets.
---@param vm Vm
---@param sets? integer[]
---@return Host|nil
function Plan:first_fit(vm, sets) end

---The hosts with 0 < utilization < 1 in none of the sets, least utilized
---first (ties: lower id).
---@param sets integer[]
---@return Host[]
function Plan:by_utilization(sets) end

---The first of by_utilization's hosts, or nil (CloudSim's
---getUnderUtilizedHost); a loop that puts each host it gets into one of
---the sets walks the order once.
---@param sets integer[]
---@return Host|nil
function Plan:least_utilized(sets) end

-- ====== Host ======

---A host of the pool (read-only proxy).  `tostring(h)` is "Host(name)";
---`==` compares pool and id.
---@class Host
---@field name string
---@field id integer            the engine's id (0-based, never reused)
---@field state "up"|"draining"|"down"
---@field type string|nil       host type name from the config, nil if none
---@field capacity Resources
---@field overcommit Resources  ratio per resource
---@field limit Resources       capacity x overcommit
---@field used Resources        sizes of resident VMs plus VMs migrating in
---@field reserved Resources    held back from placement
---@field free Resources        limit - used - reserved
---@field demand Resources      sum of the sampled demand of resident VMs
---@field allocated Resources   what the hypervisor granted at the last sample, incl. the cost of migrations (= demand unless the driver models contention)
---@field cores integer         cores the cpu capacity is made of
---@field utilization number    cpu demand / cpu capacity (0 if capacity is 0); may exceed 1
---@field history History       cpu utilization samples
---@field vm_count integer      resident VMs (running, or migrating away)
---@field incoming_count integer VMs migrating to it
local Host = {}

---Resident VMs (running, or migrating away), in no particular order; {} when none.
---@return Vm[]
function Host:vms() end

---VMs migrating to this host; {} when none.
---@return Vm[]
function Host:incoming() end

---Whether vm could be placed here now (host up, room in limit - used -
---reserved, pool reservation kept): true, or false and the reason.
---@param vm Vm
---@return boolean ok
---@return string|nil reason
function Host:fits(vm) end

---Watts at cpu utilization u (clamped to [0, 1]), interpolated in the
---host type's 11-point power table; nil when the host has none.
---@param u number  fraction
---@return number|nil watts
function Host:power(u) end

---Watts at the current utilization (clamped to 1); nil without a power table.
---@return number|nil watts
function Host:power_now() end

-- ====== Vm ======

---A VM of the pool (read-only proxy).  `tostring(v)` is "Vm(name)";
---`==` compares pool and id.
---@class Vm
---@field name string
---@field id integer             the engine's id (0-based, never reused)
---@field state "pending"|"running"|"migrating"|"stopped"
---@field size Resources         capacity it holds on its host
---@field demand Resources       last sampled use
---@field allocated Resources    what it is granted: its size from creation to the first sample, then its demand unless the driver models contention
---@field utilization number     cpu demand / cpu size (0 if the cpu size is 0)
---@field host Host|nil          where it runs (nil unless running or migrating)
---@field dest Host|nil          where it is migrating to (nil unless migrating)
---@field history History        cpu utilization samples
local Vm = {}

-- ====== Pool ======

---The whole pool.  Policies receive the engine's (read-only); plain Lua
---builds its own with vmpilot.pool{}, which also has the mutators below.
---Wherever a host or VM is expected, a proxy of this pool, a name or an
---id is accepted.  Mutators return true or raise with the pool's reason;
---on the engine's Pool they raise "the engine's pool is read-only to
---policies".
---@class Pool
---@field free Resources          free capacity over up hosts
---@field reservation Resources   pool-level reservation
---@field host_count integer
---@field vm_count integer
---@field history_length integer  samples kept per history
---@field capacity Resources      capacity summed over hosts not down
---@field demand Resources        residents' demand summed over hosts not down
---@field migrating integer       VMs migrating now
local Pool = {}

---Every host, in id order; {} when none.
---@return Host[]
function Pool:hosts() end

---Every VM, in id order; {} when none.
---@return Vm[]
function Pool:vms() end

---The host with this name or id, or nil.
---@param name_or_id string|integer|Host
---@return Host|nil
function Pool:host(name_or_id) end

---The VM with this name or id, or nil.
---@param name_or_id string|integer|Vm
---@return Vm|nil
function Pool:vm(name_or_id) end

---@class vmpilot.HostEntry
---@field name string
---@field cpu? number           capacity (missing resources are 0)
---@field memory? number
---@field disk? number
---@field network? number
---@field overcommit? Resources|vmpilot.ResourcesFields  ratios, missing = 1
---@field state? "up"|"draining"|"down"  default "up"
---@field reserved? Resources|vmpilot.ResourcesFields
---@field power? number[]       11 watts: at 0 %, 10 %, ..., 100 % cpu
---@field type? string
---@field history? number[]     cpu utilization samples, newest first
---@field cores? integer        cores of the cpu capacity, default 1

---@class vmpilot.VmEntry
---@field name string
---@field cpu? number           size (missing resources are 0)
---@field memory? number
---@field disk? number
---@field network? number
---@field host? string|integer|Host  place it there (error if it does not fit)
---@field demand? number|Resources|vmpilot.ResourcesFields  a number is the cpu demand (the rest = size)
---@field history? number[]     cpu utilization samples, newest first

---(plain Lua) Adds a host; returns it.
---@param entry vmpilot.HostEntry
---@return Host
function Pool:add_host(entry) end

---(plain Lua) Adds a VM, placing it on entry.host if given (raising with
---the pool's reason, and adding nothing, when it does not fit); returns it.
---@param entry vmpilot.VmEntry
---@return Vm
function Pool:add_vm(entry) end

---(plain Lua) Removes a pending or stopped VM.
---@param vm Vm|string|integer
---@return true
function Pool:remove_vm(vm) end

---(plain Lua) Allocates a pending or stopped VM on host.
---@param vm Vm|string|integer
---@param host Host|string|integer
---@return true
function Pool:place(vm, host) end

---(plain Lua) Stops a running VM, freeing its capacity.
---@param vm Vm|string|integer
---@return true
function Pool:release(vm) end

---(plain Lua) Sets a VM's sampled demand: a number is the cpu demand (the
---other resources are taken as its size, as the simulator does).
---@param vm Vm|string|integer
---@param demand number|Resources|vmpilot.ResourcesFields
---@return true
function Pool:set_demand(vm, demand) end

---(plain Lua) Appends the current cpu utilization of every placed VM and
---every host not down to its history, after setting what they are
---granted (allocated) to their demand (as the engine after each sample round).
---@return true
function Pool:record() end

---(plain Lua) Starts migrating a running VM to host (its size is held on both).
---@param vm Vm|string|integer
---@param host Host|string|integer
---@return true
function Pool:begin_migration(vm, host) end

---(plain Lua) Completes a migration: the VM runs on its destination.
---@param vm Vm|string|integer
---@return true
function Pool:end_migration(vm) end

---(plain Lua) Aborts a migration: the VM stays on its source.
---@param vm Vm|string|integer
---@return true
function Pool:abort_migration(vm) end

---(plain Lua) Sets a host's state.
---@param host Host|string|integer
---@param state "up"|"draining"|"down"
---@return true
function Pool:set_state(host, state) end

---(plain Lua) Sets a host's reservation (non-negative).
---@param host Host|string|integer
---@param reserved Resources|vmpilot.ResourcesFields
---@return true
function Pool:set_reservation(host, reserved) end

---(plain Lua) Sets the pool-level reservation (non-negative).
---@param reserved Resources|vmpilot.ResourcesFields
---@return true
function Pool:set_pool_reservation(reserved) end

---(plain Lua) Verifies every pool invariant: true, or false and the first violation.
---@return boolean ok
---@return string|nil message
function Pool:check() end

---(plain Lua) A Migration of a placed VM from its host to `to`, as
---migrate_when receives it (why defaults to "", proposed and asked to 0).
---@param m {vm: Vm|string|integer, to: Host|string|integer, why?: string, proposed?: number, asked?: integer}
---@return Migration
function Pool:migration(m) end

---@class vmpilot.PoolSpec
---@field history_length? integer  samples kept per history, 1..4096 (default 30)
---@field hosts? vmpilot.HostEntry[]
---@field vms? vmpilot.VmEntry[]    added after the hosts

---(plain Lua only: `require "vmpilot"` outside the engine) A new pool
---owned by Lua, for tests and ops scripts.  A VM given a demand is
---granted it (allocated = demand, as after a sample round); one without
---holds its size (as just created); a host's allocated is its demand.
---@param spec? vmpilot.PoolSpec
---@return Pool
function vmpilot.pool(spec) end

-- ====== Migration ======

---The proposed migration migrate_when is asked about (read-only proxy).
---@class Migration
---@field vm Vm
---@field from Host       the VM's host when it was proposed
---@field to Host
---@field why string      the balance policy's reason
---@field proposed number clock time it was proposed, s
---@field asked integer   how many times migrate_when was asked about it before
local Migration = {}

-- ====== Reservation ======

---Capacity a reserve() policy wants held back.  `#r` is the number of
---hosts held.  Values are not checked here; the engine rejects negative
---ones when reserve() returns.
---@class Reservation
---@field pool Resources|nil  the pool-level hold, nil if none
---@operator len: integer
local Reservation = {}

---Holds res on host (replacing an earlier hold on it); returns self.
---@param host Host
---@param res Resources
---@return Reservation
function Reservation:hold(host, res) end

---Holds res for the pool as a whole; returns self.
---@param res Resources
---@return Reservation
function Reservation:hold_pool(res) end

---The hold on host, or nil.
---@param host Host
---@return Resources|nil
function Reservation:get(host) end

---A new, empty Reservation.
---@return Reservation
function vmpilot.Reservation() end

-- ====== decision slots ======

---The context every slot receives.
---@class vmpilot.Ctx
---@field now number       clock time of the decision, s
---@field interval number  s between two calls of this slot, 0 if on demand

---@class vmpilot.Move
---@field vm Vm
---@field to Host
---@field why? string  the reason, recorded with the migration

---place(vm, hosts, ctx): one of the candidate hosts (all fit vm now), or
---nil, and a reason.
---@alias vmpilot.place fun(vm: Vm, hosts: HostList, ctx: vmpilot.Ctx): Host|nil, string

---balance(pool, ctx): the moves wanted ({} or nil for none).
---@alias vmpilot.balance fun(pool: Pool, ctx: vmpilot.Ctx): vmpilot.Move[]

---reserve(pool, ctx): capacity to hold back (nil for none), and a reason.
---@alias vmpilot.reserve fun(pool: Pool, ctx: vmpilot.Ctx): Reservation|nil, string

---migrate_when(m, pool, ctx): "now", "never", or a delay in seconds (> 0),
---and a reason.
---@alias vmpilot.migrate_when fun(m: Migration, pool: Pool, ctx: vmpilot.Ctx): "now"|"never"|number, string

---A policy module returns a table with the slot function it implements
---(the engine's version of it is the hash of the file's content).
---@class vmpilot.Policy
---@field name? string  shown in decisions and logs (default: the file name)
---@field place? vmpilot.place
---@field balance? vmpilot.balance
---@field reserve? vmpilot.reserve
---@field migrate_when? vmpilot.migrate_when
---@field order? fun(vms: Vm[], ctx: vmpilot.Ctx): Vm[]  placement only: the order a batch submitted together is placed in (the same VMs)
---@field place_batch? fun(vms: Vm[], hosts: HostList, ctx: vmpilot.Ctx): (Host|false)[], string[]?  placement only: hosts for a whole batch in one call (false: ask place)
---@field self_test? fun(): boolean|nil, string|nil  run at load and reload; raise or return false, reason to refuse the version
---@field export_state? fun(): any  on reload, the running version's state (nil, booleans, numbers, strings, tables of those)
---@field import_state? fun(state: any)  on reload, the new version receives what export_state returned

return vmpilot
