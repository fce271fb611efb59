-- helpers.lua - what the placement policy specs share.
-- Use: local H = require "tests.policies.helpers"
local vp = require "vmpilot"

local M = {}

-- The candidates a placement policy receives: a HostList of pool's hosts
-- with these names, in the order given (as the engine passes them).
function M.candidates(pool, ...)
  local list = {}
  for i, name in ipairs { ... } do list[i] = pool:host(name) end
  return vp.HostList(pool, list)
end

-- Fixtures of the consolidation policy specs (thr, iqr, mad, lr, lrr).
M.CTX = { now = 300, interval = 300 }
local LINEAR = { 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200 }

-- A host entry with a linear power table and 1000 Mbit/s.
function M.H(name, cpu, mem)
  return { name = name, cpu = cpu, memory = mem, power = LINEAR, network = 1000 }
end

-- A VM entry: cpu size, memory, cpu demand, host, history (newest first).
function M.V(name, cpu, mem, d, h, hist)
  return { name = name, cpu = cpu, memory = mem, demand = d, host = h, history = hist }
end

-- Moves as "vm->host" strings.
function M.plan(moves)
  local t = {}
  for i, m in ipairs(moves) do t[i] = m.vm.name .. "->" .. m.to.name end
  return t
end

-- A host history (newest first) as the 8-cpu VM "a" on a 10-cpu host makes
-- it: VM samples = host samples / 0.8.
function M.vm_hist(host_hist)
  local t = {}
  for i, x in ipairs(host_hist) do t[i] = x / 0.8 end
  return t
end

-- The detector specs' pool: h1 carries a (8 cpu, 512 MiB, demand 6,
-- making h1's history host_hist, newest first) and b (2 cpu, 256 MiB,
-- demand b_demand); h2 (10 cpu, like h1) is empty.
function M.detector_pool(host_hist, b_demand)
  local vp = require "vmpilot"
  return vp.pool { hosts = { M.H("h1", 10, 4096), M.H("h2", 10, 4096) },
    vms = { M.V("a", 8, 512, 6, "h1", M.vm_hist(host_hist)), M.V("b", 2, 256, b_demand, "h1") } }
end

-- What every consolidation balance policy P must be: its name, detector,
-- default safety and selection, and a self_test that rejects a bad
-- selection.  Also saves and restores P's fields around each test.  env is
-- the spec's _ENV (busted puts it, before_each, after_each, assert there).
function M.consolidation_basics(P, name, safety, env)
  local it, before_each, after_each, assert = env.it, env.before_each, env.after_each, env.assert
  local saved
  before_each(function() saved = { safety = P.safety, selection = P.selection, seed = P.seed } end)
  after_each(function() P.safety, P.selection, P.seed = saved.safety, saved.selection, saved.seed end)

  it("is named " .. name .. ", detector " .. name .. ", safety " .. safety .. ", selection mmt",
    function()
      assert.equal(name, P.name)
      assert.equal(name, P.detector)
      assert.equal(safety, P.safety)
      assert.equal("mmt", P.selection)
      assert.is_function(P.balance)
      assert.is_nil(P.place)
    end)

  it("self_test rejects an unknown selection", function()
    P.self_test()
    P.selection = "nope"
    assert.has_error(P.self_test)
  end)
end

-- The regression detectors' cases, shared by lr_spec and lrr_spec: LR and
-- LRR make the same decisions (the robust fit's weights never apply, as
-- in CloudSim), so both policies must pass the same cases.
function M.regression_cases(P, name, env)
  local it, assert = env.it, env.assert
  local CTX, plan = M.CTX, M.plan
  -- h1's history, oldest first 0.50, 0.54, ..., 0.86: a = 0.46, b = 0.04;
  -- migration time 512 MiB * 16 / 1000 Mbit/s = 8.2 s: 1 interval;
  -- prediction 1.2 * (0.46 + 0.04 * 11) = 1.08 >= 1.
  local function fixture()
    return M.detector_pool({ 0.86, 0.82, 0.78, 0.74, 0.70, 0.66, 0.62, 0.58, 0.54, 0.50 }, 1)
  end

  it("sheds while the predicted utilization stays >= 1", function()
    -- b goes (least memory) but leaves no history: still 1.08; a goes too.
    -- a (6) first -> h2 (empty); b -> h2 refused: h2 now predicts 1.08.
    local moves = P.balance(fixture(), CTX)
    assert.same({ "a->h2" }, plan(moves))
    assert.is_truthy(moves[1].why:find("h1 overloaded (" .. name .. ")", 1, true))
  end)

  it("follows P.safety", function()
    P.safety = 1.0 -- prediction 0.9
    assert.same({}, plan(P.balance(fixture(), CTX)))
  end)

  it("falls back to THR 0.7 with fewer than 10 history values", function()
    -- 9 samples: requested 0.7 is not > 0.7; b 1.1 makes it 0.71
    local pool = M.detector_pool({ 0.86, 0.82, 0.78, 0.74, 0.70, 0.66, 0.62, 0.58, 0.54 }, 1)
    assert.same({}, plan(P.balance(pool, CTX)))
    pool:set_demand("b", 1.1)
    assert.same({ "b->h2" }, plan(P.balance(pool, CTX)))
  end)
end

return M
