-- headroom_spec.lua - policies/reservation/headroom.lua: per up host, hold
-- back P.headroom of its limit (capacity x overcommit); for the pool, hold
-- back the largest `used` of any up host, per resource (room to re-place
-- the VMs of the busiest host if it is lost).
local vp = require "vmpilot"
local R = vp.Resources
local P = require "policies.reservation.headroom"

local CTX = { now = 600, interval = 300 }

local function assert_res_near(want, got)
  assert.equal("Resources", getmetatable(got))
  for _, k in ipairs { "cpu", "memory", "disk", "network" } do
    assert.near(want[k], got[k], 1e-9 * math.max(1, math.abs(want[k])), k)
  end
end

--   h1  up        8 cpu x overcommit 2, 4096 MiB, 100 GiB; used (6, 1536, 30)
--   h2  up       16 cpu, 8192 MiB, 50 GiB, 1000 Mbit/s;      used (3, 3000, 0)
--   h3  draining 32 cpu, 16384 MiB;                          used (20, 10000)
--   h4  down      8 cpu, 1024 MiB;                           empty
local function fixture()
  return vp.pool {
    hosts = {
      { name = "h1", cpu = 8, memory = 4096, disk = 100, overcommit = { cpu = 2 } },
      { name = "h2", cpu = 16, memory = 8192, disk = 50, network = 1000 },
      { name = "h3", cpu = 32, memory = 16384 },
      { name = "h4", cpu = 8, memory = 1024, state = "down" },
    },
    vms = {
      { name = "a", cpu = 4, memory = 1024, disk = 20, host = "h1", demand = 4 },
      { name = "b", cpu = 2, memory = 512, disk = 10, host = "h1", demand = 1 },
      { name = "c", cpu = 3, memory = 3000, host = "h2", demand = 3 },
      { name = "d", cpu = 20, memory = 10000, host = "h3", demand = 20 },
    },
  }
end

describe("reservation/headroom", function()
  local pool, saved
  before_each(function()
    pool = fixture()
    pool:set_state("h3", "draining")
    saved = P.headroom
  end)
  after_each(function() P.headroom = saved end)

  it("is named headroom, holds 10% by default and has a reserve slot", function()
    assert.equal("headroom", P.name)
    assert.equal(0.10, P.headroom)
    assert.is_function(P.reserve)
  end)

  it("returns exactly a Reservation and a string", function()
    local n = select("#", P.reserve(pool, CTX))
    local r, why = P.reserve(pool, CTX)
    assert.equal(2, n)
    assert.equal("Reservation", getmetatable(r))
    assert.equal("string", type(why))
  end)

  describe("per host", function()
    it("holds headroom x limit (capacity x overcommit) on each up host", function()
      local r = P.reserve(pool, CTX)
      assert_res_near(R(1.6, 409.6, 10, 0), r:get(pool:host("h1"))) -- limit (16, 4096, 100)
      assert_res_near(R(1.6, 819.2, 5, 100), r:get(pool:host("h2"))) -- limit (16, 8192, 50, 1000)
    end)

    it("holds nothing on draining or down hosts", function()
      local r = P.reserve(pool, CTX)
      assert.equal(2, #r)
      assert.is_nil(r:get(pool:host("h3")))
      assert.is_nil(r:get(pool:host("h4")))
    end)

    it("follows a changed P.headroom", function()
      P.headroom = 0.25
      local r, why = P.reserve(pool, CTX)
      assert.equal(R(4, 1024, 25, 0), r:get(pool:host("h1")))
      assert.equal(R(4, 2048, 12.5, 250), r:get(pool:host("h2")))
      assert.truthy(why:find("25% headroom per host", 1, true))
    end)

    it("holds zero, but still holds, with P.headroom = 0", function()
      P.headroom = 0
      local r = P.reserve(pool, CTX)
      assert.equal(2, #r)
      assert.equal(R(), r:get(pool:host("h1")))
      assert.equal(R(), r:get(pool:host("h2")))
    end)
  end)

  describe("for the pool", function()
    it("holds the largest used over up hosts, per resource", function()
      -- max of h1 (6, 1536, 30, 0) and h2 (3, 3000, 0, 0); h3 is draining
      local r = P.reserve(pool, CTX)
      assert.equal(R(6, 3000, 30, 0), r.pool)
    end)

    it("counts VMs migrating in as used on their destination", function()
      pool:begin_migration("b", "h2") -- b (2, 512, 10) is held on h1 and h2
      assert.equal(R(5, 3512, 10, 0), pool:host("h2").used)
      local r = P.reserve(pool, CTX)
      assert.equal(R(6, 3512, 30, 0), r.pool)
    end)

    it("ignores a busier host once it is no longer up", function()
      pool:set_state("h3", "up")
      assert.equal(R(20, 10000, 30, 0), P.reserve(pool, CTX).pool) -- disk from h1
      pool:set_state("h3", "down")
      assert.equal(R(6, 3000, 30, 0), P.reserve(pool, CTX).pool)
    end)

    it("holds zero on a pool with no up host", function()
      local r, why = P.reserve(vp.pool {}, CTX)
      assert.equal(0, #r)
      assert.equal(R(), r.pool)
      assert.equal("10% headroom per host; pool keeps Resources{cpu=0, memory=0, disk=0, "
        .. "network=0} free for a host loss", why)
    end)
  end)

  it("gives a reason with the percentage and the pool hold", function()
    local _, why = P.reserve(pool, CTX)
    assert.equal("10% headroom per host; pool keeps Resources{cpu=6, memory=3000, disk=30, "
      .. "network=0} free for a host loss", why)
  end)

  it("does not change the pool", function()
    P.reserve(pool, CTX)
    assert.equal(R(), pool.reservation)
    assert.equal(R(), pool:host("h1").reserved)
  end)

  describe("self_test", function()
    it("passes with the default headroom", function()
      assert.has_no.errors(P.self_test)
      assert.is_not_false(P.self_test())
    end)

    it("accepts headroom in [0, 1)", function()
      for _, x in ipairs { 0, 0.5, 0.99 } do
        P.headroom = x
        assert.has_no.errors(P.self_test)
      end
    end)

    it("fails for headroom outside [0, 1)", function()
      for _, x in ipairs { -0.1, 1, 1.5 } do
        P.headroom = x
        assert.has_error(P.self_test)
      end
    end)
  end)
end)
