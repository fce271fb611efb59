-- lrr_spec.lua - policies/balance/lrr.lua: CloudSim's optimizeAllocation with
-- the LRR detector (vmpilot.consolidation, tested in consolidation_spec).
local vp = require "vmpilot"
local CTX = { now = 300, interval = 300 }
local LINEAR = { 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200 }

local function H(name, cpu, mem)
  return { name = name, cpu = cpu, memory = mem, power = LINEAR, network = 1000 }
end
local function V(name, cpu, mem, d, h, hist)
  return { name = name, cpu = cpu, memory = mem, demand = d, host = h, history = hist }
end
local function plan(moves)
  local t = {}
  for i, m in ipairs(moves) do t[i] = m.vm.name .. "->" .. m.to.name end
  return t
end
-- A host history (newest first) as the 8-cpu VM "a" on a 10-cpu host makes
-- it: VM samples = host samples / 0.8.
local function vm_hist(host_hist)
  local t = {}
  for i, x in ipairs(host_hist) do t[i] = x / 0.8 end
  return t
end
local P = require "policies.balance.lrr"

describe("balance/lrr", function()
  local saved
  before_each(function() saved = { safety = P.safety, selection = P.selection, seed = P.seed } end)
  after_each(function() P.safety, P.selection, P.seed = saved.safety, saved.selection, saved.seed end)

  it("is named lrr, detector lrr, safety 1.2, selection mmt", function()
    assert.equal("lrr", P.name)
    assert.equal("lrr", P.detector)
    assert.equal(1.2, P.safety)
    assert.equal("mmt", P.selection)
    assert.is_function(P.balance)
    assert.is_nil(P.place)
  end)

  it("self_test rejects an unknown selection", function()
    P.self_test()
    P.selection = "nope"
    assert.has_error(P.self_test)
  end)

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
