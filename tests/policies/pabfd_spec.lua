-- pabfd_spec.lua - policies/placement/pabfd.lua: power-aware best fit
-- (CloudSim's findHostForVm) among the candidates, no batch ordering.
local vp = require "vmpilot"
local P = require "policies.placement.pabfd"
local hosts = require("tests.policies.helpers").candidates

local CTX = { now = 0, interval = 0 }
local LINEAR = { 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200 } -- 100 + 100u
local FLAT = { 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100 }             -- 50 + 50u
local STEEP = { 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100 } -- 100 + 1000u

local function H(name, cpu, mem, power)
  return { name = name, cpu = cpu, memory = mem, power = power or LINEAR }
end

describe("placement/pabfd", function()
  after_each(function() P.detector, P.safety = "thr", nil end)

  it("is named pabfd, places, and does not order a batch", function()
    assert.equal("pabfd", P.name)
    assert.is_function(P.place)
    assert.is_function(P.place_batch)
    assert.is_nil(P.order)
    P.self_test()
  end)

  it("places a batch as it places the VMs one by one", function()
    -- six VMs on three hosts of different power curves: each VM sees the
    -- ones placed before it (at their full size, requesting their demand)
    local function fixture()
      return vp.pool { hosts = { H("h1", 10, 4096, STEEP), H("h2", 10, 4096, FLAT),
                                 H("h3", 10, 2048) },
        vms = { { name = "a", cpu = 4, memory = 1024, demand = 1 },
                { name = "b", cpu = 3, memory = 1024, demand = 2 },
                { name = "c", cpu = 5, memory = 1024 },
                { name = "d", cpu = 2, memory = 1024, demand = 2 },
                { name = "e", cpu = 6, memory = 1024 },
                { name = "f", cpu = 9, memory = 512 } } }
    end
    local names = { "a", "b", "c", "d", "e", "f" }
    local one = fixture()
    local want = {}
    for i, n in ipairs(names) do
      local h = P.place(one:vm(n), hosts(one, "h1", "h2", "h3"), CTX)
      want[i] = h and h.name or false
      if h then one:place(n, h) end
    end
    local pool = fixture()
    local vms = {}
    for i, n in ipairs(names) do vms[i] = pool:vm(n) end
    local got, why = P.place_batch(vms, hosts(pool, "h1", "h2", "h3"), CTX)
    local got_names = {}
    for i = 1, #names do got_names[i] = got[i] and got[i].name or false end
    assert.same(want, got_names)
    assert.same({ "h2", "h3", "h2", "h3", "h1", false }, got_names)
    assert.equal("pabfd on h2: power +20 W", why[1])
    assert.is_nil(why[6])
  end)

  it("chooses the least power increase, with the VM at its full size", function()
    -- v (4 cpu, pending: requests 4): h1 +40 W, h2 +20 W
    local pool = vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096, FLAT) },
      vms = { { name = "v", cpu = 4, memory = 512, demand = 1 } } }
    local h, why = P.place(pool:vm("v"), hosts(pool, "h1", "h2"), CTX)
    assert.equal("h2", h.name)
    assert.equal("pabfd on h2: power +20 W", why)
  end)

  it("breaks ties towards the earlier candidate", function()
    local pool = vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096), H("h3", 10, 4096) },
      vms = { { name = "v", cpu = 2, memory = 512 } } }
    assert.equal("h1", P.place(pool:vm("v"), hosts(pool, "h1", "h2", "h3"), CTX).name)
    assert.equal("h2", P.place(pool:vm("v"), hosts(pool, "h2", "h3"), CTX).name)
  end)

  it("refuses a host that would be over-utilized after the allocation", function()
    -- h2 (cheaper) carries x at 5 of 10 (a sampled VM: its demand counts);
    -- v requests its full 4: 0.9 > 0.8, so h1
    local pool = vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096, FLAT) },
      vms = { { name = "x", cpu = 6, memory = 512, demand = 5, host = "h2", history = { 0.8 } },
              { name = "v", cpu = 4, memory = 512, demand = 1 } } }
    assert.equal("h1", P.place(pool:vm("v"), hosts(pool, "h1", "h2"), CTX).name)
    P.safety = 0.95
    assert.equal("h2", P.place(pool:vm("v"), hosts(pool, "h1", "h2"), CTX).name)
  end)

  it("counts a resident VM without samples at its full size, requesting nothing", function()
    -- x (6 cpu, just created, no sample) holds 6 of h2's 10 but requests 0
    -- (CloudSim's VM before its workload starts).  v (2): h2 has 4 left,
    -- THR sees 0.2, power FLAT(0.8) - FLAT(0) = +40 W beats h1's STEEP
    -- +200 W.  big (5) does not fit in h2's 4: h1.
    local pool = vp.pool { hosts = { H("h1", 10, 4096, STEEP), H("h2", 10, 4096, FLAT) },
      vms = { { name = "x", cpu = 6, memory = 512, host = "h2" },
              { name = "v", cpu = 2, memory = 512 }, { name = "big", cpu = 5, memory = 512 } } }
    local h, why = P.place(pool:vm("v"), hosts(pool, "h1", "h2"), CTX)
    assert.equal("h2", h.name)
    assert.equal("pabfd on h2: power +40 W", why)
    assert.equal("h1", P.place(pool:vm("big"), hosts(pool, "h1", "h2"), CTX).name)
  end)

  it("uses the configured detector (IQR falls back to THR 0.7 without history)", function()
    -- x sampled at 6 of h2's 10, v requests 2: 0.8 after (+40 W), h1 +200 W.
    -- THR 0.8: 0.8 is not over, h2.  IQR (no history: THR 0.7): over, h1.
    local pool = vp.pool { hosts = { H("h1", 10, 4096, STEEP), H("h2", 10, 4096, FLAT) },
      vms = { { name = "x", cpu = 6, memory = 512, host = "h2", demand = 6, history = { 0.6 } },
              { name = "v", cpu = 2, memory = 512 } } }
    assert.equal("h2", P.place(pool:vm("v"), hosts(pool, "h1", "h2"), CTX).name)
    P.detector = "iqr"
    assert.equal("h1", P.place(pool:vm("v"), hosts(pool, "h1", "h2"), CTX).name)
  end)

  it("returns nil and a reason when every candidate would be over-utilized", function()
    local pool = vp.pool { hosts = { H("h1", 10, 4096), H("h2", 10, 4096) },
      vms = { { name = "x", cpu = 8, memory = 512, host = "h1", demand = 8, history = { 0.8 } },
              { name = "y", cpu = 8, memory = 512, host = "h2", demand = 8, history = { 0.8 } },
              { name = "v", cpu = 1, memory = 512 } } }
    local h, why = P.place(pool:vm("v"), hosts(pool, "h1", "h2"), CTX)
    assert.is_nil(h)
    assert.equal("all 2 candidates would be over-utilized (thr)", why)
  end)
end)
