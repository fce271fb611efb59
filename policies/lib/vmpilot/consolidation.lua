-- vmpilot/consolidation.lua - the dynamic VM-consolidation heuristics of
-- Beloglazov & Buyya (CloudSim 3.0.3, PowerVmAllocationPolicyMigration*),
-- written against the public vmpilot Lua API.  Used by policies/balance/
-- {thr,iqr,mad,lr,lrr}.lua and policies/placement/pabfd.lua.
--
--   require "vmpilot.consolidation"   (sandbox: policies/lib/vmpilot/
--                                      consolidation.lua; busted: the same
--                                      file through policies/lib/?.lua)
--
-- Contents
--   M.stat      CloudSim's statistics (MathUtil, commons-math Percentile,
--               SimpleRegression), on plain arrays
--   M.thr, M.iqr, M.mad, M.lr, M.lrr
--               overload detectors: f(hist, u, s [, mig]) -> over, limit
--   M.mmt, M.mu, M.mc, M.rs, M.new_rng
--               VM selection: f(vms, ...) -> vm
--   M.state     the tentative state (a vmpilot.Plan): over, pabfd, evacuate
--   M.pabfd     power-aware best-fit host choice for placement
--   M.plan      optimizeAllocation (reference section 2.5, steps 1-7)
--
-- How the engine's view maps onto CloudSim's (the plan runs on a
-- vmpilot.Plan, which keeps CloudSim's scheduler accounting; see the
-- tentative-state section below):
--   * a VM's "current requested MIPS" is vm.demand.cpu (a pending VM, being
--     created, requests its full cpu size); a host's total MIPS is
--     host.capacity.cpu and one PE is capacity / cores;
--   * getUtilizationOfCpuMips (the PABFD load) is what the host's VMs are
--     allocated, host.getUtilizationOfCpu() (fixed for the round) is
--     host.allocated.cpu / capacity: the simulator's CloudSim model sets
--     both as CloudSim's scheduler does;
--   * a host's vmList is its residents in arrival order, then the VMs
--     migrating in; its utilization history is rebuilt from their
--     histories, so a VM's history leaves with it;
--   * the power model is host:power(u) (the host type's 11-point table).
local M = {}

local floor, ceil, abs, huge = math.floor, math.ceil, math.abs, math.huge

-- ====================================================================
-- Statistics (CloudSim MathUtil + commons-math)
-- ====================================================================
local stat = {}
M.stat = stat

local vp = require "vmpilot"
local vstats = vp.stats

-- commons-math Percentile.evaluate(p) with its default estimation
-- (EstimationType.LEGACY): pos = p(n+1)/100; pos < 1 -> the minimum,
-- pos >= n -> the maximum, else linear interpolation between the
-- floor(pos)-th and the next order statistic (1-based).  p in (0, 100].
function stat.percentile(xs, p)
  local n = #xs
  if n == 0 then return nil end
  if n == 1 then return xs[1] end
  local pos = p * (n + 1) / 100
  if pos < 1 then return (vstats.order(xs, 1)) end
  if pos >= n then return (vstats.order(xs, n)) end
  local fpos = floor(pos)
  local d = pos - fpos
  local lower, upper = vstats.order(xs, fpos, fpos + 1)
  return lower + d * (upper - lower)
end

-- MathUtil.median: DescriptiveStatistics.getPercentile(50).  With the
-- legacy estimation this is the middle value (odd n) or the mean of the two
-- middle values (even n).
function stat.median(xs)
  return stat.percentile(xs, 50)
end

-- MathUtil.mad: median(|x - median(x)|), unscaled; 0 for an empty array.
-- vmpilot.stats.mad computes the same in C: its median (R's quantile type
-- 7 at 0.5) is commons-math's legacy percentile 50, operation for
-- operation (the middle value, or lower + 0.5 x (upper - lower)).
function stat.mad(xs)
  return vstats.mad(xs) or 0
end

-- Java's Math.round for the positive arguments used here: floor(x + 0.5).
local function jround(x) return floor(x + 0.5) end

-- MathUtil.iqr: sort; q1 = data[round(0.25(n+1)) - 1],
-- q3 = data[round(0.75(n+1)) - 1] (0-based Java indices; +1 here); q3 - q1.
-- No interpolation.  (n >= 12 where CloudSim calls it; for n < 3 the Java
-- index can be out of range - here it is clamped to 1..n.)
function stat.iqr(xs)
  local n = #xs
  if n == 0 then return 0 end
  local i1 = math.min(math.max(jround(0.25 * (n + 1)), 1), n)
  local i3 = math.min(math.max(jround(0.75 * (n + 1)), 1), n)
  local q1, q3 = vstats.order(xs, i1, i3)
  return q3 - q1
end

-- MathUtil.countNonZeroBeginning, literally: the length of the array
-- without its zero tail (the oldest end, as histories are newest first).
-- Java quirk kept: an all-zero or empty array gives 1.
function stat.count_nonzero_beginning(xs)
  local n = #xs
  if n > 0 and xs[n] ~= 0 then return n end -- no zero tail (Plan:history)
  local i = n - 1 -- Java's 0-based index; xs[i + 1] is data[i]
  while i >= 0 do
    local v = xs[i + 1]
    i = i - 1
    if v ~= 0 then break end
  end
  return i + 2
end

-- MathUtil.trimZeroTail: copyOfRange(data, 0, countNonZeroBeginning(data))
-- (Java pads with 0 past the end: an empty array becomes {0}).
function stat.trim_zero_tail(xs)
  local n = stat.count_nonzero_beginning(xs)
  local t = {}
  for i = 1, n do t[i] = xs[i] or 0 end
  return t
end

-- commons-math SimpleRegression (with intercept), fed (1, y[1]), ...,
-- (n, y[n]) by addData's updating formulas; returns intercept, slope (the
-- order of MathUtil.getLoessParameterEstimates).  nil for fewer than two
-- points (SimpleRegression gives NaN).  vmpilot.stats.ols, in C.
stat.ols = vstats.ols

-- ====================================================================
-- Overload detectors.  hist: the host's utilization history, newest
-- first, zero tail trimmed (M.host_history); u: its requested utilization
-- now.  Each returns over (boolean) and the number compared (the
-- threshold, or for LR/LRR the prediction).
-- ====================================================================
M.FALLBACK_THRESHOLD = 0.7 -- RunnerAbstract: every fallback is THR 0.7
M.IQR_MAD_MIN_HISTORY = 12 -- countNonZeroBeginning(h) < 12 -> fallback
M.LR_LENGTH = 10           -- LR/LRR: fewer values -> fallback; fit on 10

-- THR (StaticThreshold): over iff u > t.
function M.thr(hist, u, t)
  return u > t, t
end

-- IQR: over iff u > 1 - s * MathUtil.iqr(h); THR 0.7 below 12 values.
function M.iqr(hist, u, s)
  if stat.count_nonzero_beginning(hist) < M.IQR_MAD_MIN_HISTORY then
    return M.thr(hist, u, M.FALLBACK_THRESHOLD)
  end
  local limit = 1 - s * stat.iqr(hist)
  return u > limit, limit
end

-- MAD: over iff u > 1 - s * MathUtil.mad(h); THR 0.7 below 12 values.
function M.mad(hist, u, s)
  if stat.count_nonzero_beginning(hist) < M.IQR_MAD_MIN_HISTORY then
    return M.thr(hist, u, M.FALLBACK_THRESHOLD)
  end
  local limit = 1 - s * stat.mad(hist)
  return u > limit, limit
end

-- LR: OLS on the 10 newest values (oldest first, x = 1..10);
-- pred = s * (a + b * (10 + mig)); over iff pred >= 1.  mig =
-- migrationIntervals (M.migration_intervals; 1 when not given).  THR 0.7
-- when the trimmed history has fewer than 10 values.
function M.lr(hist, u, s, mig)
  local len = M.LR_LENGTH
  local a, b = vstats.ols_newest(hist, len) -- nil below len values
  if a == nil then
    return M.thr(hist, u, M.FALLBACK_THRESHOLD)
  end
  local pred = s * (a + b * (len + (mig or 1)))
  return pred >= 1, pred
end

-- LRR: MathUtil.getRobustLoessParameterEstimates.  Its tricube and
-- bisquare weights are all > 0, and createWeigthedLinearRegression applies
-- weights only when >= 40 % of them are <= 0, so the fit is the same plain
-- OLS as LR (reference 2.5; LR-MMT-1.2 and LRR-MMT-1.2 match in CloudSim).
M.lrr = M.lr

M.detectors = { thr = M.thr, iqr = M.iqr, mad = M.mad, lr = M.lr, lrr = M.lrr }

-- The default safety parameters of the examples (THR: the threshold).
M.DEFAULT_SAFETY = { thr = 0.8, iqr = 1.5, mad = 2.5, lr = 1.2, lrr = 1.2 }

-- ====================================================================
-- Host views
-- ====================================================================

-- A VM's history samples (newest first, a Series), cached in `cache` when
-- given.
local function vm_hist(vm, cache)
  local h = cache and cache[vm]
  if h then return h end
  h = vm.history:series()
  if cache then cache[vm] = h end
  return h
end

-- The host's history as the detectors see it: PowerHostUtilizationHistory
-- from the VMs on it (residents and incoming; vmpilot.Plan builds it).
function M.host_history(h, len)
  return vp.Plan({ h }):history(h, nil, len or 30)
end

-- The host's requested utilization (residents plus incoming, / capacity).
function M.requested(h)
  local plan = vp.Plan({ h })
  local cap = plan:capacity(h)
  return cap > 0 and plan:requested(h) / cap or 0
end

-- LR's migrationIntervals: ceil(maxRam / (bw / 16000) / interval), with
-- CloudSim's bw in kbit/s = network Mbit/s * 1000, i.e. the longest
-- migration time ram * 16 / network seconds over the scheduling interval.
-- 1 when the host has no network capacity or no VM (not reached in
-- CloudSim: an empty host always takes the LR fallback).
function M.migration_intervals(vms, network, interval)
  local maxram = 0
  for _, vm in ipairs(vms) do
    if vm.size.memory > maxram then maxram = vm.size.memory end
  end
  return M.intervals_for(maxram, network, interval)
end

-- The same from the largest memory size on the host.
function M.intervals_for(maxram, network, interval)
  if maxram <= 0 or network <= 0 or not interval or interval <= 0 then return 1 end
  return ceil(maxram * 16 / network / interval)
end

-- Detector settings: cfg.detector ("thr", ...), cfg.safety (default per
-- detector), cfg.interval (the scheduling interval for LR, default 300).
local function detector_of(cfg)
  local name = cfg.detector or "thr"
  local f = M.detectors[name]
  if not f then error("unknown overload detector '" .. tostring(name) .. "'", 3) end
  return name, f, cfg.safety or M.DEFAULT_SAFETY[name]
end

-- isHostOverUtilized(host) on the live host (no plan), for convenience.
function M.over(h, cfg)
  return M.state({ h }, cfg or {}):over(h)
end

-- ====================================================================
-- VM selection.  vms: the host's migratable VMs in its VM-list order
-- (arrival order, as CloudSim's).
-- ====================================================================

-- MMT: the smallest static RAM (size.memory); ties: the first.
function M.mmt(vms)
  local best, bm
  for _, vm in ipairs(vms) do
    local m = vm.size.memory
    if best == nil or m < bm then best, bm = vm, m end
  end
  return best
end

-- MU: the smallest current utilization (demand.cpu / size.cpu); ties: the
-- first.
function M.mu(vms)
  local best, bu
  for _, vm in ipairs(vms) do
    local u = vm.utilization
    if best == nil or u < bu then best, bu = vm, u end
  end
  return best
end

-- A seeded generator: rng(n) gives an integer in 0..n-1.  A 64-bit LCG
-- (Knuth's MMIX constants; Lua integers wrap), high bits used.
function M.new_rng(seed)
  local s = math.tointeger(seed) or 0
  return function(n)
    s = s * 6364136223846793005 + 1442695040888963407
    return ((s >> 33) % n)
  end
end

-- RS: vms[rng(n) + 1] (CloudSim: new Random().nextInt(n), unseeded).
function M.rs(vms, rng)
  if #vms == 0 then return nil end
  return vms[rng(#vms) + 1]
end

-- R² of the OLS regression (with intercept) of y on the columns xs[1..p];
-- nil where commons-math's OLSMultipleLinearRegression would throw an
-- IllegalArgumentException (fewer rows than p + 1, singular design).
-- vmpilot.stats.r_squared solves the normal equations in C.  FIDELITY:
-- commons-math uses a QR decomposition (MC was not in the reference runs).
stat.r_squared = vstats.r_squared

-- MC: the VM whose history is best explained (max R²) by the others'
-- histories, over the newest m samples (m = the shortest history); the
-- running maximum starts at Double.MIN_VALUE, index 1.  Falls back to MMT
-- where CloudSim catches IllegalArgumentException.
function M.mc(vms, cache)
  if #vms == 0 then return nil end
  if #vms == 1 then return M.mmt(vms) end -- a single history has no regressors
  local data = {}
  for i, vm in ipairs(vms) do data[i] = vm_hist(vm, cache) end
  -- each history fitted on the others over the newest m samples (m: the
  -- shortest), in C
  local metrics = vstats.r_squared_each(data)
  if metrics == nil then return M.mmt(vms) end
  local n = #vms
  local best, bm = 1, 4.9e-324 -- Double.MIN_VALUE
  for i = 1, n do
    if metrics[i] > bm then best, bm = i, metrics[i] end
  end
  return vms[best]
end

-- ====================================================================
-- The tentative state: a vmpilot.Plan (bindings/plan.c) - a copy of the
-- pool's cpu accounting the plan changes, with CloudSim's scheduler rules
-- (VmSchedulerTimeSharedOverSubscription) and the PABFD search in C:
--   * a VM "requests" (getCurrentRequestedTotalMips) its sampled cpu
--     demand; a pending VM (being created) its full cpu size;
--   * a host's load (getUtilizationOfCpuMips) is what its VMs are
--     allocated; its power now is P(host.allocated.cpu / capacity);
--   * isSuitableForVm: one core >= the VM's request, available cpu >= it,
--     and, for a VM being created, its memory and network sizes free;
--   * a VM's history goes with it; a host's history is rebuilt from the
--     VMs tentatively on it.
-- ====================================================================
local State = {}
State.__index = State

-- Exclusion sets of the plan (vmpilot.Plan sets 1..8).
local OVER, SOURCE, TARGET = 1, 2, 3

-- cfg: detector, safety, selection ("mmt", "mu", "mc", "rs"), rng (for
-- rs), seed (rs without rng), interval (LR), history_length.  src: a Pool
-- or a HostList.
function M.state(src, cfg)
  local st = setmetatable({ cfg = cfg, plan = vp.Plan(src), cache = {}, net = {} }, State)
  st.det_name, st.det, st.safety = detector_of(cfg)
  st.hist_len = cfg.history_length or 30
  st.interval = cfg.interval or 300
  st.lr = st.det_name == "lr" or st.det_name == "lrr"
  return st
end

-- The detector on the tentative state as one function, its settings held
-- as upvalues (a search runs it for every candidate it tries):
-- f(h, extra, u) -> over, with u the host's requested utilization with
-- `extra` appended.
function State:detector()
  if self.detector_fn then return self.detector_fn end
  local plan, det, safety = self.plan, self.det, self.safety
  local len, interval, net, intervals_for = self.hist_len, self.interval, self.net, M.intervals_for
  local f
  if self.det_name == "thr" then
    f = function(_, _, u) return det(nil, u, safety) end
  elseif self.lr then
    f = function(h, extra, u)
      local n = net[h]
      if not n then n = h.capacity.network; net[h] = n end
      local mig = intervals_for(plan:largest(h, "memory", extra), n, interval)
      return det(plan:history(h, extra, len), u, safety, mig)
    end
  else
    f = function(h, extra, u) return det(plan:history(h, extra, len), u, safety) end
  end
  self.detector_fn = f
  return f
end

-- isHostOverUtilized(h) on the tentative state, with `extra` appended
-- (isHostOverUtilizedAfterAllocation) when given; u: its requested
-- utilization then, when the caller has it (an accept function's third
-- argument).
function State:over(h, extra, u)
  if u == nil then
    local plan = self.plan
    local cap = plan:capacity(h)
    if cap <= 0 then return false end
    u = plan:requested(h, extra) / cap
  end
  return self:detector()(h, extra, u)
end

-- vmDestroy: the VM leaves the host; the rest are allocated again.
function State:remove(h, vm) self.plan:remove(h, vm) end

-- The host's VMs not in migration, in list order (getMigratableVms).
function State:migratable(h)
  return self.plan:vms(h, "running")
end

-- The VM the selection policy takes from h (getVmToMigrate): MMT and MU
-- through the Plan's C query, the same choice as M.mmt / M.mu over
-- st:migratable(h); MC and RS over that list.
function State:pick(h)
  local name = self.cfg.selection or "mmt"
  if name == "mmt" then return self.plan:smallest(h, "memory") end
  if name == "mu" then return self.plan:smallest(h, "utilization") end
  if name == "mc" then return M.mc(self:migratable(h), self.cache) end
  if name == "rs" then
    self.rng = self.rng or self.cfg.rng or M.new_rng(self.cfg.seed or 1)
    return M.rs(self:migratable(h), self.rng)
  end
  error("unknown VM selection '" .. tostring(name) .. "'", 2)
end

-- PABFD (findHostForVm(vm, excluded)): over the hosts in id order that are
-- up and in none of the exclusion sets, a suitable host; a non-empty one
-- (load != 0) is refused if it would be over-utilized after taking the
-- VM; the strictly smallest P((load + request) / capacity) - P(now) wins
-- (ties: the lower id).  Returns the host (or nil) and its power
-- difference.
-- The overload test best_fit_power and evacuate run on a loaded host
-- that would win: THR's threshold in C, the others in Lua.
function State:accept()
  if self.det_name == "thr" then return self.safety end
  if not self.accept_fn then
    local over = self:detector()
    self.accept_fn = function(h, vm, u) return not over(h, vm, u) end
  end
  return self.accept_fn
end

function State:pabfd(vm, sets)
  return self.plan:best_fit_power(vm, sets, self:accept())
end

-- getNewVmPlacementFromUnderUtilizedHost: every VM of h not migrating,
-- biggest cpu first, by PABFD; all or none (Plan.evacuate).
function State:evacuate(h, sets)
  return self.plan:evacuate(h, sets, self:accept())
end

-- Placement convenience: PABFD over the candidate hosts (a HostList) for
-- one VM.  cfg as M.state.
function M.pabfd(vm, hosts, cfg)
  return M.state(hosts, cfg or {}):pabfd(vm, nil)
end

local function fmt_pct(x) return string.format("%.0f%%", 100 * x) end

-- ====================================================================
-- plan(pool, ctx, cfg): optimizeAllocation, reference 2.5 steps 1-7, on a
-- tentative copy; the pool is not changed.  Returns the moves
-- {vm=, to=, why=}: VMs from over-utilized hosts first, then consolidation.
-- Only `up` hosts take part, as sources or targets.
-- ====================================================================
function M.plan(pool, ctx, cfg)
  cfg = cfg or {}
  if (cfg.interval == nil) and ctx and ctx.interval and ctx.interval > 0 then
    cfg = setmetatable({ interval = ctx.interval }, { __index = cfg })
  end
  local st = M.state(pool, cfg)
  local plan = st.plan
  local moves, nmoves = {}, 0 -- a count, not #moves: a round appends thousands

  -- 1. over-utilization detection, in id order (a host without VMs never is).
  -- THR's test is requested / capacity > safety: the plan lists just the
  -- hosts that pass it (the detector still decides), not every loaded one.
  local over, over_list = {}, {}
  local loaded = st.det_name == "thr" and plan:loaded(st.safety) or plan:loaded()
  for _, h in ipairs(loaded) do
    local is_over, limit = st:over(h)
    if is_over then
      over[h] = string.format("%s overloaded (%s): cpu %s, limit %.3g", h.name,
        st.det_name, fmt_pct(plan:requested(h) / plan:capacity(h)), limit)
      over_list[#over_list + 1] = h
      plan:exclude(h, OVER)
    end
  end

  -- 3. selection: remove VMs until the host is no longer over-utilized
  -- (at least one, as CloudSim's loop does)
  local selected, from = {}, {}
  for _, h in ipairs(over_list) do
    while true do
      local vm = st:pick(h)
      if vm == nil then break end
      selected[#selected + 1], from[vm] = vm, h
      st:remove(h, vm)
      if not st:over(h) then break end
    end
  end

  -- 4. placement of the selected VMs, biggest cpu first, over-utilized
  -- hosts excluded; a VM with no host stays where it is
  for _, m in ipairs(plan:place_each(selected, { OVER }, st:accept())) do
    m.why = over[from[m.vm]]
    nmoves = nmoves + 1
    moves[nmoves] = m
  end

  -- 5. under-utilization: repeatedly take the least utilized remaining
  -- host (0 < u < 1 by its utilization at the last update, fixed for the
  -- round; ties: lower id) and try to move all its VMs (those placed there
  -- by step 4 too: CloudSim then moves such a VM twice, and the engine
  -- keeps the later move) to hosts that are neither over-utilized,
  -- switched off nor already emptied; if one has no host, none moves.
  plan:exclude_off(SOURCE, TARGET) -- down or switched off

  -- getUnderUtilizedHost: u is fixed for the round and a host never leaves
  -- a set, so least_utilized walks the hosts once, in the order CloudSim's
  -- repeated scan finds them; each host it gives goes into SOURCE.
  local not_sources, targets = { OVER, SOURCE }, { OVER, TARGET } -- made once, not per host
  while true do
    local under = plan:least_utilized(not_sources)
    if under == nil then break end
    plan:exclude(under, SOURCE)
    -- areAllVmsMigratingOutOrAnyVmMigratingIn: skip a host with no VM
    if plan:count(under) > 0 then
      plan:exclude(under, TARGET)
      local placed = st:evacuate(under, targets)
      if placed and placed[1] then
        local why = string.format("%s underloaded: least utilized host, cpu %s", under.name,
          fmt_pct(plan:utilization(under)))
        for _, m in ipairs(placed) do
          plan:exclude(m.to, SOURCE)
          m.why = why
          nmoves = nmoves + 1
          moves[nmoves] = m
        end
      end
    end
  end

  -- 6-7. nothing to restore (the pool was never changed); the moves are in
  -- CloudSim's order.
  return moves
end

M.selections = { mmt = true, mu = true, mc = true, rs = true }

-- Checks a cfg's detector and selection names and the safety value.
function M.check_cfg(cfg)
  detector_of(cfg)
  assert(M.selections[cfg.selection or "mmt"], "unknown selection '" .. tostring(cfg.selection) .. "'")
  local s = cfg.safety
  assert(s == nil or (type(s) == "number" and s >= 0), "safety must be a number >= 0")
end

-- A balance policy running plan() each round with `detector` (and its
-- CloudSim default safety).  Fields of the returned table, changeable:
--   safety     the detector's parameter
--   selection  "mmt" (minimum migration time: least memory), "mu" (minimum
--              utilization), "mc" (maximum correlation) or "rs" (random,
--              seeded with P.seed: runs repeat)
--   seed       the seed of "rs"
--   interval   the scheduling interval LR/LRR use (s); nil = ctx.interval,
--              or 300 when the call has none
-- rs keeps one generator for the loaded version, so rounds differ and a
-- run repeats; a new seed starts a new sequence.
function M.balance_policy(detector)
  local P = { name = detector, detector = detector, safety = M.DEFAULT_SAFETY[detector],
              selection = "mmt", seed = 1 }
  local rng, rng_seed
  function P.balance(pool, ctx)
    if rng_seed ~= P.seed then rng, rng_seed = M.new_rng(P.seed), P.seed end
    return M.plan(pool, ctx, { detector = P.detector, safety = P.safety,
      selection = P.selection, rng = rng, interval = P.interval })
  end
  function P.self_test()
    M.check_cfg(P)
  end
  return P
end

return M
