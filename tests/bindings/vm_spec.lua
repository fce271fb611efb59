-- vm_spec.lua - Vm proxies on a plain-Lua pool: fields through a VM's
-- life (pending, running, migrating, stopped), errors.
local H = require "tests.bindings.helpers"
local R, err = H.R, H.err

describe("Vm", function()
  local pool, v
  before_each(function()
    pool = H.two_hosts({ { name = "v", cpu = 4, memory = 256, demand = 1 } },
      { cpu = 8, memory = 1024 })
    v = pool:vm("v")
  end)

  it("has a name, an id, a size and a demand", function()
    assert.equal("v", v.name)
    assert.equal(0, v.id)
    assert.equal(R(4, 256), v.size)
    assert.equal(R(1, 256), v.demand) -- a number is the cpu demand; the rest is the size
    assert.equal(0.25, v.utilization)
  end)

  it("follows its life: pending, running, migrating, running, stopped", function()
    assert.equal("pending", v.state)
    assert.is_nil(v.host)
    assert.is_nil(v.dest)
    pool:place(v, "h1")
    assert.equal("running", v.state)
    assert.is_true(rawequal(pool:host("h1"), v.host))
    pool:begin_migration(v, "h2")
    assert.equal("migrating", v.state)
    assert.equal("h1", v.host.name)
    assert.equal("h2", v.dest.name)
    pool:end_migration(v)
    assert.equal("running", v.state)
    assert.equal("h2", v.host.name)
    assert.is_nil(v.dest)
    pool:release(v)
    assert.equal("stopped", v.state)
    assert.is_nil(v.host)
  end)

  it("has utilization 0 when its cpu size is 0", function()
    assert.equal(0, pool:add_vm { name = "z", memory = 1, demand = 5 }.utilization)
  end)

  it("has a History", function()
    assert.equal("History", getmetatable(v.history))
    assert.equal(0, #v.history)
  end)

  it("prints as Vm(name)", function()
    assert.equal("Vm(v)", tostring(v))
  end)

  it("has no other fields, and none can be set", function()
    assert.equal("Vm has no field 'cpu'", err(function() return v.cpu end))
    assert.equal("Vm has no field 'place'", err(function() return v.place end))
    assert.equal("Vm is read-only (cannot set field 'state')",
      err(function() v.state = "running" end))
  end)

  it("compares by pool and id", function()
    assert.is_true(v == pool:vm(0))
    assert.is_false(v == pool:add_vm { name = "w" })
  end)

  it("is an error to read once the VM is removed", function()
    pool:remove_vm(v)
    assert.equal("VM id 0 no longer exists", err(function() return v.name end))
    assert.is_nil(pool:vm("v"))
    assert.equal("Vm(expired)", tostring(v))
  end)
end)
