-- thr_spec.lua - policies/balance/thr.lua: CloudSim's optimizeAllocation with
-- the THR detector (vmpilot.consolidation, tested in consolidation_spec).
local vp = require "vmpilot"
local T = require "tests.policies.helpers"
local CTX, H, V, plan, vm_hist = T.CTX, T.H, T.V, T.plan, T.vm_hist
local P = require "policies.balance.thr"

describe("balance/thr", function()
  T.consolidation_basics(P, "thr", 0.8, _ENV)

  -- h1 0.9 > 0.8 sheds b (least memory) -> h2 (all +50 W: lowest id);
  -- h3 (0.1) is emptied: d -> h5 (h2 would reach 0.9).
  local function fixture()
    return vp.pool {
      hosts = { H("h1", 10, 4096), H("h2", 10, 4096), H("h3", 10, 4096), H("h4", 10, 4096),
                H("h5", 10, 4096) },
      vms = { V("a", 4, 512, 4, "h1"), V("b", 5, 256, 5, "h1"), V("c", 3, 512, 3, "h2"),
              V("d", 1, 512, 1, "h3"), V("e", 2, 512, 2, "h5") },
    }
  end

  it("sheds from overloaded hosts, then consolidates", function()
    local moves = P.balance(fixture(), CTX)
    assert.same({ "b->h2", "d->h5" }, plan(moves))
    assert.equal("h1 overloaded (thr): cpu 90%, limit 0.8", moves[1].why)
  end)

  it("follows P.safety (the threshold)", function()
    -- at 0.95 h1 is not over: h3 (0.1): d -> h2 (+10 W, tie with h5: lower
    -- id); h5 (0.2): e -> h2 (0.6); h1 (0.9) cannot go anywhere
    P.safety = 0.95
    assert.same({ "d->h2", "e->h2" }, plan(P.balance(fixture(), CTX)))
  end)

  it("repeats with rs and a seed", function()
    P.selection, P.seed = "rs", 5
    local a = plan(P.balance(fixture(), CTX))
    P.seed = 6
    P.balance(fixture(), CTX)
    P.seed = 5 -- a changed seed restarts the sequence at the next call
    assert.same(a, plan(P.balance(fixture(), CTX)))
  end)
end)
