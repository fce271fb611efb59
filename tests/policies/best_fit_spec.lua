-- best_fit_spec.lua - policies/placement/best_fit.lua: among the candidate
-- hosts, the one left with the least free cpu after placing the VM; ties go
-- to the least free memory left, then to the earlier candidate.
local vp = require "vmpilot"
local P = require "policies.placement.best_fit"

local CTX = { now = 0, interval = 0 }

-- The candidates, in the order given, as the engine passes them.
local hosts = require("tests.policies.helpers").candidates

describe("placement/best_fit", function()
  it("is named best-fit and has a place slot", function()
    assert.equal("best-fit", P.name)
    assert.is_function(P.place)
  end)

  describe("chooses the tightest host", function()
    -- free before placing v (cpu 2, memory 512):
    --   h1 16-4 = 12 cpu, 4096-1024 = 3072 MiB -> 10 cpu, 2560 MiB left
    --   h2  8         cpu, 4096          MiB ->  6 cpu, 3584 MiB left
    --   h3 16-6 = 10 cpu, 2048-512  = 1536 MiB ->  8 cpu, 1024 MiB left
    local pool
    before_each(function()
      pool = vp.pool {
        hosts = {
          { name = "h1", cpu = 16, memory = 4096 },
          { name = "h2", cpu = 8, memory = 4096 },
          { name = "h3", cpu = 16, memory = 2048 },
        },
        vms = {
          { name = "x1", cpu = 4, memory = 1024, host = "h1" },
          { name = "x3", cpu = 6, memory = 512, host = "h3" },
          { name = "v", cpu = 2, memory = 512 },
        },
      }
    end)

    it("picks the candidate with the least cpu left after placing the VM", function()
      local h, why = P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
      assert.equal("h2", h.name)
      assert.equal("best fit on h2: 6 cpu, 3584 MiB left", why)
    end)

    it("ranks by cpu before memory (h3 would leave less memory)", function()
      local h = P.place(pool:vm("v"), hosts(pool, "h1", "h3"), CTX)
      assert.equal("h3", h.name)
    end)

    it("chooses only among the candidates it is given", function()
      local h, why = P.place(pool:vm("v"), hosts(pool, "h1"), CTX)
      assert.equal("h1", h.name)
      assert.equal("best fit on h1: 10 cpu, 2560 MiB left", why)
    end)

    it("returns exactly a Host proxy of the candidates and a string", function()
      local candidates = vp.HostList(pool, pool:hosts())
      local n = select("#", P.place(pool:vm("v"), candidates, CTX))
      local h, why = P.place(pool:vm("v"), candidates, CTX)
      assert.equal(2, n)
      assert.equal("Host", getmetatable(h))
      assert.is_true(rawequal(candidates[2], h))
      assert.equal("string", type(why))
    end)

    it("leaves the pool unchanged", function()
      P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
      assert.equal("pending", pool:vm("v").state)
      assert.equal(vp.Resources(8, 4096), pool:host("h2").free)
    end)
  end)

  it("breaks a cpu tie by the least memory left", function()
    local pool = vp.pool {
      hosts = {
        { name = "h1", cpu = 8, memory = 4096 },
        { name = "h2", cpu = 8, memory = 2048 },
        { name = "h3", cpu = 8, memory = 3072 },
      },
      vms = { { name = "v", cpu = 2, memory = 512 } },
    }
    local h, why = P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
    assert.equal("h2", h.name)
    assert.equal("best fit on h2: 6 cpu, 1536 MiB left", why)
  end)

  it("breaks a full tie by the earlier candidate, whatever the host ids", function()
    local pool = vp.pool {
      hosts = {
        { name = "h1", cpu = 8, memory = 1024 },
        { name = "h2", cpu = 8, memory = 1024 },
        { name = "h3", cpu = 8, memory = 1024 },
      },
      vms = { { name = "v", cpu = 1, memory = 128 } },
    }
    assert.equal("h1", P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX).name)
    assert.equal("h3", P.place(pool:vm("v"), hosts(pool, "h3", "h1", "h2"), CTX).name)
    assert.equal("h2", P.place(pool:vm("v"), hosts(pool, "h2", "h3"), CTX).name)
  end)

  it("measures free capacity as limit - used - reserved (overcommit and reservations count)", function()
    -- h1: 4 cpu x overcommit 4 = 16 free; h2: 12 - 3 reserved = 9 free;
    -- h3: 10 free.  By raw capacity h1 would be tightest; by free, h2.
    local pool = vp.pool {
      hosts = {
        { name = "h1", cpu = 4, memory = 1024, overcommit = { cpu = 4 } },
        { name = "h2", cpu = 12, memory = 1024, reserved = { cpu = 3 } },
        { name = "h3", cpu = 10, memory = 1024 },
      },
      vms = { { name = "v", cpu = 2, memory = 128 } },
    }
    local h, why = P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
    assert.equal("h2", h.name)
    assert.equal("best fit on h2: 7 cpu, 896 MiB left", why)
  end)

  it("returns nil and a reason when there is no candidate", function()
    local pool = vp.pool { hosts = { { name = "h1", cpu = 1 } }, vms = { { name = "v", cpu = 2 } } }
    local n = select("#", P.place(pool:vm("v"), vp.HostList(pool, {}), CTX))
    local h, why = P.place(pool:vm("v"), vp.HostList(pool, {}), CTX)
    assert.equal(2, n)
    assert.is_nil(h)
    assert.equal("no candidate host", why)
  end)
end)

describe("placement/best_fit order (best-fit decreasing)", function()
  it("places a batch by decreasing cpu, then memory, then id", function()
    local pool = vp.pool {
      hosts = { { name = "h", cpu = 64, memory = 65536 } },
      vms = {
        { name = "a", cpu = 1, memory = 100 }, { name = "b", cpu = 4, memory = 100 },
        { name = "c", cpu = 2, memory = 300 }, { name = "d", cpu = 2, memory = 500 },
        { name = "e", cpu = 4, memory = 100 },
      },
    }
    local order = P.order(pool:vms(), CTX)
    local names = {}
    for i, vm in ipairs(order) do names[i] = vm.name end
    assert.same({ "b", "e", "d", "c", "a" }, names)
  end)
end)
