-- worst_fit_spec.lua - policies/placement/worst_fit.lua: among the
-- candidate hosts, the one left with the MOST free cpu after placing the
-- VM; ties go to the most free memory left, then to the earlier candidate.
local vp = require "vmpilot"
local P = require "policies.placement.worst_fit"

local CTX = { now = 0, interval = 0 }

-- The candidates, in the order given, as the engine passes them.
local hosts = require("tests.policies.helpers").candidates

describe("placement/worst_fit", function()
  it("is named worst-fit and has a place slot", function()
    assert.equal("worst-fit", P.name)
    assert.is_function(P.place)
  end)

  describe("chooses the loosest host", function()
    -- free before placing v (cpu 2, memory 512):
    --   h1 16-4 = 12 cpu, 4096-1024 = 3072 MiB -> 10 cpu, 2560 MiB left
    --   h2  8         cpu, 8192          MiB ->  6 cpu, 7680 MiB left
    --   h3 16-6 = 10 cpu, 2048-512  = 1536 MiB ->  8 cpu, 1024 MiB left
    local pool
    before_each(function()
      pool = vp.pool {
        hosts = {
          { name = "h1", cpu = 16, memory = 4096 },
          { name = "h2", cpu = 8, memory = 8192 },
          { name = "h3", cpu = 16, memory = 2048 },
        },
        vms = {
          { name = "x1", cpu = 4, memory = 1024, host = "h1" },
          { name = "x3", cpu = 6, memory = 512, host = "h3" },
          { name = "v", cpu = 2, memory = 512 },
        },
      }
    end)

    it("picks the candidate with the most cpu left after placing the VM", function()
      local h, why = P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
      assert.equal("h1", h.name)
      assert.equal("spread to h1: 10 cpu left", why)
    end)

    it("ranks by cpu before memory (h2 would leave more memory)", function()
      local h = P.place(pool:vm("v"), hosts(pool, "h2", "h3"), CTX)
      assert.equal("h3", h.name)
    end)

    it("chooses only among the candidates it is given", function()
      local h, why = P.place(pool:vm("v"), hosts(pool, "h2"), CTX)
      assert.equal("h2", h.name)
      assert.equal("spread to h2: 6 cpu left", why)
    end)

    it("returns exactly a Host proxy of the candidates and a string", function()
      local candidates = vp.HostList(pool, pool:hosts())
      local n = select("#", P.place(pool:vm("v"), candidates, CTX))
      local h, why = P.place(pool:vm("v"), candidates, CTX)
      assert.equal(2, n)
      assert.equal("Host", getmetatable(h))
      assert.is_true(rawequal(candidates[1], h))
      assert.equal("string", type(why))
    end)

    it("leaves the pool unchanged", function()
      P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
      assert.equal("pending", pool:vm("v").state)
      assert.equal(vp.Resources(12, 3072), pool:host("h1").free)
    end)
  end)

  it("breaks a cpu tie by the most memory left", function()
    local pool = vp.pool {
      hosts = {
        { name = "h1", cpu = 8, memory = 2048 },
        { name = "h2", cpu = 8, memory = 4096 },
        { name = "h3", cpu = 8, memory = 3072 },
      },
      vms = { { name = "v", cpu = 2, memory = 512 } },
    }
    local h, why = P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
    assert.equal("h2", h.name)
    assert.equal("spread to h2: 6 cpu left", why)
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
    -- h1: 4 cpu x overcommit 4 = 16 free (the loosest, though the smallest);
    -- h2: 20 - 8 reserved = 12 free; h3: 14 - 4 used = 10 free.
    local pool = vp.pool {
      hosts = {
        { name = "h1", cpu = 4, memory = 1024, overcommit = { cpu = 4 } },
        { name = "h2", cpu = 20, memory = 1024, reserved = { cpu = 8 } },
        { name = "h3", cpu = 14, memory = 1024 },
      },
      vms = {
        { name = "x", cpu = 4, memory = 128, host = "h3" },
        { name = "v", cpu = 2, memory = 128 },
      },
    }
    local h, why = P.place(pool:vm("v"), vp.HostList(pool, pool:hosts()), CTX)
    assert.equal("h1", h.name)
    assert.equal("spread to h1: 14 cpu left", why)
    assert.equal("h2", P.place(pool:vm("v"), hosts(pool, "h3", "h2"), CTX).name)
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
