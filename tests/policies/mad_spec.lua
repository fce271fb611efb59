-- mad_spec.lua - policies/balance/mad.lua: CloudSim's optimizeAllocation with
-- the MAD detector (vmpilot.consolidation, tested in consolidation_spec).
local T = require "tests.policies.helpers"
local CTX, plan = T.CTX, T.plan
local P = require "policies.balance.mad"

describe("balance/mad", function()
  T.consolidation_basics(P, "mad", 2.5, _ENV)

  -- h1's history: six 0.4, six 0.6: median 0.5, every deviation 0.1: MAD
  -- 0.1, limit 1 - 2.5 * 0.1 = 0.75.  Requested: a 6 + b 1.6 = 0.76.
  local function fixture()
    return T.detector_pool({ 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6 }, 1.6)
  end

  it("sheds from a host over 1 - s * MAD", function()
    local moves = P.balance(fixture(), CTX)
    assert.same({ "b->h2" }, plan(moves))
    assert.is_truthy(moves[1].why:find("h1 overloaded (mad)", 1, true))
  end)

  it("follows P.safety", function()
    P.safety = 2.0 -- limit 0.8
    assert.same({}, plan(P.balance(fixture(), CTX)))
  end)
end)
