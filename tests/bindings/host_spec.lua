-- host_spec.lua - Host proxies on a plain-Lua pool: fields, methods,
-- errors for unknown fields and writes.
local H = require "tests.bindings.helpers"
local vp, R, err = H.vp, H.R, H.err

-- SPECpower-like table: watts at 0 %, 10 %, ..., 100 % cpu.
local POWER = { 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200 }

local function fixture()
  return vp.pool {
    hosts = {
      { name = "big", cpu = 8, memory = 1024, disk = 100, network = 1000,
        overcommit = { cpu = 2 }, reserved = R { memory = 24 }, type = "g5", power = POWER },
      { name = "small", cpu = 4, memory = 512 },
      { name = "off", cpu = 4, memory = 512, state = "down" },
    },
    vms = {
      { name = "a", cpu = 2, memory = 256, host = "big", demand = 1 },
      { name = "b", cpu = 4, memory = 128, host = "big", demand = R { cpu = 3, memory = 100 } },
      { name = "c", cpu = 1, memory = 64, host = "small" },
      { name = "p", cpu = 1, memory = 64 },
    },
  }
end

describe("Host", function()
  local pool, big, small
  before_each(function()
    pool = fixture()
    big, small = pool:host("big"), pool:host("small")
  end)

  it("has a name, an id, a state and a type", function()
    assert.equal("big", big.name)
    assert.equal(0, big.id)
    assert.equal(1, small.id)
    assert.equal("up", big.state)
    assert.equal("down", pool:host("off").state)
    assert.equal("g5", big.type)
    assert.is_nil(small.type)
  end)

  it("has capacity, overcommit, limit, used, reserved, free as Resources", function()
    assert.equal(R(8, 1024, 100, 1000), big.capacity)
    assert.equal(R(2, 1, 1, 1), big.overcommit)
    assert.equal(R(16, 1024, 100, 1000), big.limit)
    assert.equal(R(6, 384, 0, 0), big.used)
    assert.equal(R { memory = 24 }, big.reserved)
    assert.equal(R(10, 616, 100, 1000), big.free)
  end)

  it("has a demand (resident VMs) and a utilization (cpu demand / cpu capacity)", function()
    -- a: demand 1 cpu, memory = its size 256; b: cpu 3, memory 100
    assert.equal(R(4, 356, 0, 0), big.demand)
    assert.equal(0.5, big.utilization)
    assert.equal(0, small.utilization)
    assert.equal(0, vp.pool { hosts = { { name = "z" } } }:host("z").utilization)
  end)

  it("counts and lists its VMs", function()
    assert.equal(2, big.vm_count)
    assert.equal(0, big.incoming_count)
    local names = H.names(big:vms())
    table.sort(names)
    assert.same({ "a", "b" }, names)
    assert.same({}, big:incoming())
  end)

  it("lists incoming migrations", function()
    pool:begin_migration("c", "big")
    assert.equal(1, big.incoming_count)
    assert.is_true(rawequal(pool:vm("c"), big:incoming()[1]))
    assert.equal(1, small.vm_count) -- still resident on its source
  end)

  it("fits(vm) says whether a VM could be placed, and why not", function()
    assert.is_true(big:fits(pool:vm("p")))
    local ok, why = pool:host("off"):fits(pool:vm("p"))
    assert.is_false(ok)
    assert.equal("host 'off' is down", why)
    pool:add_vm { name = "huge", cpu = 1, memory = 700 }
    ok, why = big:fits(pool:vm("huge"))
    assert.is_false(ok)
    assert.equal("VM 'huge' needs 700 memory, host 'big' has 616 free", why)
  end)

  it("power(u) interpolates its power table; nil without one", function()
    assert.equal(100, big:power(0))
    assert.equal(155, big:power(0.55))
    assert.equal(200, big:power(1))
    assert.equal(200, big:power(3)) -- clamped
    assert.is_nil(small:power(0.5))
    assert.equal(150, big:power_now()) -- utilization 0.5
    assert.is_nil(small:power_now())
  end)

  it("power_now() clamps its utilization to 1", function()
    pool:set_demand("a", 20)
    assert.is_true(big.utilization > 1)
    assert.equal(200, big:power_now())
  end)

  it("prints as Host(name)", function()
    assert.equal("Host(big)", tostring(big))
  end)

  it("compares by pool and id", function()
    assert.is_true(big == pool:host(0))
    assert.is_false(big == small)
    assert.is_false(big == fixture():host("big"))
  end)

  it("reads the pool live", function()
    local free = big.free
    pool:place("p", "big")
    assert.equal(free - R(1, 64), big.free)
    assert.equal(3, big.vm_count)
  end)

  it("has no other fields, and none can be set", function()
    assert.equal("Host has no field 'cpu'", err(function() return big.cpu end))
    assert.equal("Host is read-only (cannot set field 'name')",
      err(function() big.name = "x" end))
    assert.equal("Host is read-only (cannot set field 'tag')", err(function() big.tag = 1 end))
  end)

  it("checks its arguments", function()
    assert.truthy(err(function() return big:fits(3) end)
      :find("bad argument #1 to 'fits' (Vm expected, got number)", 1, true))
    assert.truthy(err(function() return big:fits(small) end)
      :find("Vm expected, got Host", 1, true))
    assert.truthy(err(function() return big:fits(fixture():vm("a")) end)
      :find("Vm of another pool", 1, true))
    assert.truthy(err(function() return big.fits(1, pool:vm("a")) end)
      :find("Host expected, got number", 1, true))
  end)
end)
