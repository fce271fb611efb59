-- balance/lrr.lua - Beloglazov & Buyya dynamic consolidation (CloudSim 3.0.3)
-- with the LRR overload detector, robust local regression (CloudSim's LRR reduces to the same OLS
-- as LR, see vmpilot/consolidation.lua); over-utilized when P.safety times
-- the prediction is >= 1; THR 0.7 below 10 history values.
--
-- Each round runs CloudSim's optimizeAllocation (vmpilot.consolidation
-- plan): over-utilized hosts shed VMs chosen by P.selection until they are
-- no longer over-utilized; those VMs go by PABFD (least power increase) to
-- hosts that stay under the detector; then the least utilized hosts are
-- emptied one by one when all their VMs fit elsewhere.  Moves: over-utilized
-- hosts' VMs first, then consolidation.
--
-- Parameters (fields of the returned table):
--   safety     the detector's parameter (1.2)
--   selection  "mmt" (minimum migration time: least memory), "mu" (minimum
--              utilization), "mc" (maximum correlation) or "rs" (random,
--              seeded with P.seed: runs repeat)
--   seed       the seed of "rs"
--   interval   the scheduling interval LR uses (s); nil = ctx.interval, or
--              300 when the call has none
local C = require "vmpilot.consolidation"

local P = { name = "lrr", detector = "lrr", safety = 1.2, selection = "mmt", seed = 1 }

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
