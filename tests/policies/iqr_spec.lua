-- iqr_spec.lua - policies/balance/iqr.lua: CloudSim's optimizeAllocation with
-- the IQR detector (vmpilot.consolidation, tested in consolidation_spec).
local vp = require "vmpilot"
local T = require "tests.policies.helpers"
local CTX, H, V, plan, vm_hist = T.CTX, T.H, T.V, T.plan, T.vm_hist
local P = require "policies.balance.iqr"

describe("balance/iqr", function()
  T.consolidation_basics(P, "iqr", 1.5, _ENV)

  -- h1's history (from a, 8 cpu): six 0.4, six 0.6: q1 = 0.4, q3 = 0.6,
  -- IQR 0.2, limit 1 - 1.5 * 0.2 = 0.7.  Requested: a 6 + b 1.5 = 0.75.
  local function fixture()
    local h = vm_hist { 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6 }
    return vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096) },
      vms = { V("a", 8, 512, 6, "h1", h), V("b", 2, 256, 1.5, "h1") } }
  end

  it("sheds from a host over 1 - s * IQR", function()
    -- 0.75 > 0.7: b (least memory) goes; 0.6 after.  b -> h2 (empty).
    local moves = P.balance(fixture(), CTX)
    assert.same({ "b->h2" }, plan(moves))
    assert.is_truthy(moves[1].why:find("h1 overloaded (iqr)", 1, true))
  end)

  it("follows P.safety", function()
    -- s = 1: limit 0.8, not over; h2 is switched off: nothing to do
    P.safety = 1.0
    assert.same({}, plan(P.balance(fixture(), CTX)))
  end)
end)
