-- iqr_spec.lua - policies/balance/iqr.lua: CloudSim's optimizeAllocation with
-- the IQR detector (vmpilot.consolidation, tested in consolidation_spec).
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
local P = require "policies.balance.iqr"

describe("balance/iqr", function()
  local saved
  before_each(function() saved = { safety = P.safety, selection = P.selection, seed = P.seed } end)
  after_each(function() P.safety, P.selection, P.seed = saved.safety, saved.selection, saved.seed end)

  it("is named iqr, detector iqr, safety 1.5, selection mmt", function()
    assert.equal("iqr", P.name)
    assert.equal("iqr", P.detector)
    assert.equal(1.5, P.safety)
    assert.equal("mmt", P.selection)
    assert.is_function(P.balance)
    assert.is_nil(P.place)
  end)

  it("self_test rejects an unknown selection", function()
    P.self_test()
    P.selection = "nope"
    assert.has_error(P.self_test)
  end)

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
