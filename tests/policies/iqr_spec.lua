-- iqr_spec.lua - policies/balance/iqr.lua: CloudSim's optimizeAllocation with
-- the IQR detector (vmpilot.consolidation, tested in consolidation_spec).
local T = require "tests.policies.helpers"
local CTX, plan = T.CTX, T.plan
local P = require "policies.balance.iqr"

describe("balance/iqr", function()
  T.consolidation_basics(P, "iqr", 1.5, _ENV)

  -- h1's history (from a, 8 cpu): six 0.4, six 0.6: q1 = 0.4, q3 = 0.6,
  -- IQR 0.2, limit 1 - 1.5 * 0.2 = 0.7.  Requested: a 6 + b 1.5 = 0.75.
  local function fixture()
    return T.detector_pool({ 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6 }, 1.5)
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
