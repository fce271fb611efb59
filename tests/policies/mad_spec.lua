-- mad_spec.lua - policies/balance/mad.lua: CloudSim's optimizeAllocation with
-- the MAD detector (vmpilot.consolidation, tested in consolidation_spec).
local vp = require "vmpilot"
local T = require "tests.policies.helpers"
local CTX, H, V, plan, vm_hist = T.CTX, T.H, T.V, T.plan, T.vm_hist
local P = require "policies.balance.mad"

describe("balance/mad", function()
  T.consolidation_basics(P, "mad", 2.5, _ENV)

  -- h1's history: six 0.4, six 0.6: median 0.5, every deviation 0.1: MAD
  -- 0.1, limit 1 - 2.5 * 0.1 = 0.75.  Requested: a 6 + b 1.6 = 0.76.
  local function fixture()
    local h = vm_hist { 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6 }
    return vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096) },
      vms = { V("a", 8, 512, 6, "h1", h), V("b", 2, 256, 1.6, "h1") } }
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
