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

return M
