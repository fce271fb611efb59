-- memory_fit_spec.lua - the example placement policy of docs/policies.md
-- (examples/policies/memory_fit.lua), called directly on plain pools.
local vp = require "vmpilot"
local P = require "examples.policies.memory_fit"

local CTX = { now = 0, interval = 0 }

-- The candidates the engine would offer: the hosts vm fits on now, in id order.
local function candidates(pool, vm)
  local list = {}
  for _, h in ipairs(pool:hosts()) do
    if h:fits(vm) then list[#list + 1] = h end
  end
  return list
end

-- Four hosts of 8 cpu; memory 16 GiB, 8 GiB, 4 GiB and 1 GiB.
local function fixture()
  return vp.pool {
    hosts = {
      { name = "roomy", cpu = 8, memory = 16384 },
      { name = "snug", cpu = 8, memory = 8192 },
      { name = "tight", cpu = 8, memory = 4096 },
      { name = "tiny", cpu = 8, memory = 1024 },
    },
    vms = { { name = "web", cpu = 2, memory = 2048 } },
  }
end

describe("memory-fit placement", function()
  it("is offered only the hosts the VM fits on", function()
    local pool = fixture()
    local names = {}
    for _, h in ipairs(candidates(pool, pool:vm("web"))) do names[#names + 1] = h.name end
    assert.same({ "roomy", "snug", "tight" }, names)
  end)

  it("chooses the candidate left with the least free memory", function()
    local pool = fixture()
    local vm = pool:vm("web")
    local host, why = P.place(vm, candidates(pool, vm), CTX)
    assert.equal(pool:host("tight"), host)
    assert.equal("best memory fit on tight: 2048 MiB left", why)
  end)

  it("skips a host whose p90 cpu is over P.hot", function()
    local pool = fixture()
    -- fill "tight" with a busy VM and record three sample rounds
    pool:add_vm { name = "busy", cpu = 4, memory = 1024, host = "tight" }
    pool:set_demand("busy", 7.6) -- cpu demand: 7.6 of the host's 8 = 95 %
    for _ = 1, 3 do pool:record() end
    assert.equal(3, #pool:host("tight").history)
    local vm = pool:vm("web")
    local host = P.place(vm, candidates(pool, vm), CTX)
    assert.equal(pool:host("snug"), host)
  end)

  it("places nothing, with a reason, when every candidate is hot", function()
    local pool = vp.pool {
      hosts = { { name = "h", cpu = 8, memory = 4096, history = { 1.0, 0.95, 0.99 } } },
      vms = { { name = "v", cpu = 1, memory = 512 } },
    }
    local host, why = P.place(pool:vm("v"), pool:hosts(), CTX)
    assert.is_nil(host)
    assert.equal("all 1 candidates are hot (p90 cpu > 90%)", why)
  end)

  it("follows its parameter", function()
    local pool = vp.pool {
      hosts = { { name = "h", cpu = 8, memory = 4096, history = { 0.5 } } },
      vms = { { name = "v", cpu = 1, memory = 512 } },
    }
    local saved = P.hot
    P.hot = 0.4
    local host = P.place(pool:vm("v"), pool:hosts(), CTX)
    P.hot = saved
    assert.is_nil(host)
  end)

  it("returns nil and a reason for no candidates", function()
    local pool = fixture()
    local host, why = P.place(pool:vm("web"), {}, CTX)
    assert.is_nil(host)
    assert.is_string(why)
  end)

  it("passes its self_test", function()
    assert.has_no.errors(P.self_test)
  end)
end)
