-- balance/thr.lua - Beloglazov & Buyya dynamic consolidation (CloudSim 3.0.3)
-- with the THR overload detector, static threshold: a host is over-utilized when its requested cpu
-- (resident plus incoming VMs' demand) is over P.safety of its cpu capacity.
--
-- Each round runs CloudSim's optimizeAllocation (vmpilot.consolidation
-- plan): over-utilized hosts shed VMs chosen by P.selection until they are
-- no longer over-utilized; those VMs go by PABFD (least power increase) to
-- hosts that stay under the detector; then the least utilized hosts are
-- emptied one by one when all their VMs fit elsewhere.  Moves: over-utilized
-- hosts' VMs first, then consolidation.
--
-- Parameters (fields of the returned table):
--   safety     the detector's parameter (0.8: the threshold, a fraction of cpu capacity)
--   selection  "mmt" (minimum migration time: least memory), "mu" (minimum
--              utilization), "mc" (maximum correlation) or "rs" (random,
--              seeded with P.seed: runs repeat)
--   seed       the seed of "rs"
--   interval   the scheduling interval LR uses (s); nil = ctx.interval, or
--              300 when the call has none
local C = require "vmpilot.consolidation"

local P = { name = "thr", detector = "thr", safety = 0.8, selection = "mmt", seed = 1 }

-- rs keeps one generator for the loaded version, so rounds differ and a
-- run repeats; a new seed starts a new sequence.
local rng, rng_seed

---@param pool Pool
function P.balance(pool, ctx)
  if rng_seed ~= P.seed then rng, rng_seed = C.new_rng(P.seed), P.seed end
  return C.plan(pool, ctx, { detector = P.detector, safety = P.safety,
    selection = P.selection, rng = rng, interval = P.interval })
end

function P.self_test()
  C.check_cfg(P)
end

return P
