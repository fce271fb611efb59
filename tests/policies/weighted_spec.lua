-- weighted_spec.lua - policies/placement/weighted.lua: each candidate gets
--   W.cpu * (cpu left / cpu limit) + W.memory * (memory left / memory limit)
--   + W.load * (current cpu utilization)
-- after placing the VM; the lowest score wins, ties go to the earlier
-- candidate.  The weights P.W can be changed.
local vp = require "vmpilot"
local P = require "policies.placement.weighted"

local CTX = { now = 0, interval = 0 }

-- The candidates, in the order given, as the engine passes them.
local hosts = require("tests.policies.helpers").candidates

-- Placing v (cpu 2, memory 100), by hand:
--          cpu left / limit   memory left / limit   utilization
--   h1     (10-4-2)/10 = 0.4  (1000-850-100)/1000 = 0.05   4/10 = 0.4
--   h2     (8-0-2)/8 = 0.75   (2000-0-100)/2000 = 0.95     0
--          (4 cpu x overcommit 2: the limit, not the capacity, divides)
--   h3     (10-6-2)/10 = 0.2  (1000-300-100)/1000 = 0.6    1/10 = 0.1
local FRAC = {
  h1 = { cpu = 0.4, memory = 0.05, load = 0.4 },
  h2 = { cpu = 0.75, memory = 0.95, load = 0 },
  h3 = { cpu = 0.2, memory = 0.6, load = 0.1 },
}

local function fixture()
  return vp.pool {
    hosts = {
      { name = "h1", cpu = 10, memory = 1000 },
      { name = "h2", cpu = 4, memory = 2000, overcommit = { cpu = 2 } },
      { name = "h3", cpu = 10, memory = 1000 },
    },
    vms = {
      { name = "x1", cpu = 4, memory = 850, host = "h1", demand = 4 },
      { name = "x3", cpu = 6, memory = 300, host = "h3", demand = 1 },
      { name = "v", cpu = 2, memory = 100 },
    },
  }
end

describe("placement/weighted", function()
  local pool, saved
  before_each(function()
    pool = fixture()
    saved = P.W
    P.W = { cpu = saved.cpu, memory = saved.memory, load = saved.load }
  end)
  after_each(function() P.W = saved end)

  it("is named weighted, has a place slot and default weights 1, 1, 0.5", function()
    assert.equal("weighted", P.name)
    assert.is_function(P.place)
    assert.same({ cpu = 1.0, memory = 1.0, load = 0.5 }, saved)
  end)

  it("scores each host as the weighted sum of its fractions after placing", function()
    local v = pool:vm("v")
    for name, f in pairs(FRAC) do
      local want = 1.0 * f.cpu + 1.0 * f.memory + 0.5 * f.load
      assert.near(want, P.score(pool:host(name), v), 1e-12)
    end
  end)

  it("picks the lowest score (h1: 0.65 against 1.7 and 0.85)", function()
    local h, why = P.place(pool:vm("v"), pool:hosts(), CTX)
    assert.equal("h1", h.name)
    assert.equal("lowest weighted score 0.650 on h1", why)
  end)

  it("chooses only among the candidates it is given", function()
    local h, why = P.place(pool:vm("v"), hosts(pool, "h2", "h3"), CTX)
    assert.equal("h3", h.name)
    assert.equal("lowest weighted score 0.850 on h3", why)
  end)

  describe("follows changed weights", function()
    it("cpu only: the least cpu left wins (h3)", function()
      P.W.cpu, P.W.memory, P.W.load = 1, 0, 0
      assert.equal("h3", P.place(pool:vm("v"), pool:hosts(), CTX).name)
    end)

    it("memory only: the least memory left wins (h1)", function()
      P.W = { cpu = 0, memory = 1, load = 0 } -- replacing the table works too
      local h, why = P.place(pool:vm("v"), pool:hosts(), CTX)
      assert.equal("h1", h.name)
      assert.equal("lowest weighted score 0.050 on h1", why)
    end)

    it("a heavy load weight avoids busy hosts (h2, idle, wins at W.load = 10)", function()
      -- h1 0.45 + 4 = 4.45, h2 1.7 + 0 = 1.7, h3 0.8 + 1 = 1.8
      P.W.load = 10
      local h, why = P.place(pool:vm("v"), pool:hosts(), CTX)
      assert.equal("h2", h.name)
      assert.equal("lowest weighted score 1.700 on h2", why)
    end)

    it("scores with the weights in force at the call", function()
      P.W.load = 10
      local v = pool:vm("v")
      assert.near(0.8 + 10 * 0.1, P.score(pool:host("h3"), v), 1e-12)
      P.W.load = 0
      assert.near(0.8, P.score(pool:host("h3"), v), 1e-12)
    end)
  end)

  it("breaks a tie by the earlier candidate", function()
    local p = vp.pool {
      hosts = {
        { name = "a", cpu = 8, memory = 1024 },
        { name = "b", cpu = 8, memory = 1024 },
      },
      vms = { { name = "v", cpu = 1, memory = 128 } },
    }
    assert.equal("a", P.place(p:vm("v"), p:hosts(), CTX).name)
    assert.equal("b", P.place(p:vm("v"), hosts(p, "b", "a"), CTX).name)
  end)

  it("counts a resource with a zero limit as 0 (no division by zero)", function()
    -- cpu only: a 3/10 + 0.5 * 0.5 = 0.55, b 8/10 = 0.8
    local p = vp.pool {
      hosts = { { name = "a", cpu = 10 }, { name = "b", cpu = 10 } },
      vms = {
        { name = "y", cpu = 5, host = "a", demand = 5 },
        { name = "v", cpu = 2 },
      },
    }
    local sa, sb = P.score(p:host("a"), p:vm("v")), P.score(p:host("b"), p:vm("v"))
    assert.near(0.55, sa, 1e-12)
    assert.near(0.8, sb, 1e-12)
    local h, why = P.place(p:vm("v"), p:hosts(), CTX)
    assert.equal("a", h.name)
    assert.equal("lowest weighted score 0.550 on a", why)
  end)

  it("returns exactly a Host proxy of the candidates and a string", function()
    local candidates = pool:hosts()
    local n = select("#", P.place(pool:vm("v"), candidates, CTX))
    local h, why = P.place(pool:vm("v"), candidates, CTX)
    assert.equal(2, n)
    assert.equal("Host", getmetatable(h))
    assert.is_true(rawequal(candidates[1], h))
    assert.equal("string", type(why))
    assert.equal("pending", pool:vm("v").state)
  end)

  it("returns nil and a reason when there is no candidate", function()
    local n = select("#", P.place(pool:vm("v"), {}, CTX))
    local h, why = P.place(pool:vm("v"), {}, CTX)
    assert.equal(2, n)
    assert.is_nil(h)
    assert.equal("no candidate host", why)
  end)
end)
