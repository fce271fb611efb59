-- lrr_spec.lua - policies/balance/lrr.lua: CloudSim's optimizeAllocation with
-- the LRR detector (vmpilot.consolidation, tested in consolidation_spec).
local vp = require "vmpilot"
local T = require "tests.policies.helpers"
local CTX, H, V, plan, vm_hist = T.CTX, T.H, T.V, T.plan, T.vm_hist
local P = require "policies.balance.lrr"

describe("balance/lrr", function()
  T.consolidation_basics(P, "lrr", 1.2, _ENV)

  -- h1's history, oldest first 0.50, 0.54, ..., 0.86: a = 0.46, b = 0.04;
  -- migration time 512 MiB * 16 / 1000 Mbit/s = 8.2 s: 1 interval;
  -- prediction 1.2 * (0.46 + 0.04 * 11) = 1.08 >= 1.
  local function fixture()
    local h = vm_hist { 0.86, 0.82, 0.78, 0.74, 0.70, 0.66, 0.62, 0.58, 0.54, 0.50 }
    return vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096) },
      vms = { V("a", 8, 512, 6, "h1", h), V("b", 2, 256, 1, "h1") } }
  end

  it("sheds while the predicted utilization stays >= 1", function()
    -- b goes (least memory) but leaves no history: still 1.08; a goes too.
    -- a (6) first -> h2 (empty); b -> h2 refused: h2 now predicts 1.08.
    local moves = P.balance(fixture(), CTX)
    assert.same({ "a->h2" }, plan(moves))
    assert.is_truthy(moves[1].why:find("h1 overloaded (lrr)", 1, true))
  end)

  it("follows P.safety", function()
    P.safety = 1.0 -- prediction 0.9
    assert.same({}, plan(P.balance(fixture(), CTX)))
  end)

  it("falls back to THR 0.7 with fewer than 10 history values", function()
    -- 9 samples: requested 0.7 is not > 0.7; b 1.1 makes it 0.71
    local h = vm_hist { 0.86, 0.82, 0.78, 0.74, 0.70, 0.66, 0.62, 0.58, 0.54 }
    local pool = vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096) },
      vms = { V("a", 8, 512, 6, "h1", h), V("b", 2, 256, 1, "h1") } }
    assert.same({}, plan(P.balance(pool, CTX)))
    pool:set_demand("b", 1.1)
    assert.same({ "b->h2" }, plan(P.balance(pool, CTX)))
  end)
end)
