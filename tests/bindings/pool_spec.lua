-- pool_spec.lua - Pool: the vmpilot.pool{} constructor, the read API,
-- and the plain-Lua mutators (add_host, add_vm with placement, place,
-- release, set_demand, record, migrations, states, reservations, check).
local H = require "tests.bindings.helpers"
local vp, R, err, names = H.vp, H.R, H.err, H.names

local function fixture()
  return vp.pool {
    hosts = {
      { name = "h1", cpu = 8, memory = 1024 },
      { name = "h2", cpu = 4, memory = 512 },
    },
    vms = {
      { name = "a", cpu = 2, memory = 256, host = "h1" },
      { name = "b", cpu = 2, memory = 256, host = "h2" },
      { name = "c", cpu = 1, memory = 64 },
    },
  }
end

describe("vmpilot.pool", function()
  it("builds an empty pool", function()
    local p = vp.pool {}
    assert.equal(0, p.host_count)
    assert.equal(0, p.vm_count)
    assert.equal(30, p.history_length)
    assert.equal("Pool(0 hosts, 0 VMs)", tostring(vp.pool()))
  end)

  it("builds hosts then VMs, placing those that name a host", function()
    local p = fixture()
    assert.equal("Pool(2 hosts, 3 VMs)", tostring(p))
    assert.equal("running", p:vm("a").state)
    assert.equal("pending", p:vm("c").state)
  end)

  it("rejects unknown fields and bad entries, naming where", function()
    assert.equal("vmpilot.pool: unknown field 'host'", err(vp.pool, { host = {} }))
    assert.equal("vmpilot.pool: hosts[2]: unknown field 'cpus'",
      err(vp.pool, { hosts = { { name = "a" }, { name = "b", cpus = 1 } } }))
    assert.equal("vmpilot.pool: hosts[1]: field 'name' must be a string, got nil",
      err(vp.pool, { hosts = { { cpu = 1 } } }))
    assert.equal("vmpilot.pool: hosts[2]: host 'a' already exists",
      err(vp.pool, { hosts = { { name = "a" }, { name = "a" } } }))
    assert.equal("vmpilot.pool: vms[1]: field 'host': no such host in this pool: nope",
      err(vp.pool, { vms = { { name = "v", host = "nope" } } }))
    assert.equal("vmpilot.pool: vms[1] must be a table", err(vp.pool, { vms = { 1 } }))
    assert.equal("vmpilot.pool: history_length must be an integer in 1..4096",
      err(vp.pool, { history_length = 0 }))
    assert.equal("vmpilot.pool: history_length must be an integer in 1..4096",
      err(vp.pool, { history_length = 2.5 }))
  end)
end)

describe("Pool read API", function()
  local p
  before_each(function() p = fixture() end)

  it("lists hosts and VMs in id order", function()
    assert.same({ "h1", "h2" }, names(p:hosts()))
    assert.same({ "a", "b", "c" }, names(p:vms()))
  end)

  it("finds a host or VM by name, id or proxy; nil when none", function()
    assert.equal("h2", p:host("h2").name)
    assert.equal("h2", p:host(1).name)
    assert.equal("h2", p:host(p:host("h2")).name)
    assert.equal("c", p:vm(2).name)
    assert.is_nil(p:host("nope"))
    assert.is_nil(p:host(7))
    assert.is_nil(p:host(-1))
    assert.is_nil(p:vm("h1"))
    assert.truthy(err(function() return p:host() end)
      :find("Host, name or id expected, got no value", 1, true))
  end)

  it("has free capacity over up hosts, a reservation and counts", function()
    assert.equal(R(8, 1024), p.free)
    p:set_state("h2", "draining")
    assert.equal(R(6, 768), p.free)
    assert.equal(R(), p.reservation)
    assert.equal(2, p.host_count)
    assert.equal(3, p.vm_count)
  end)

  it("has no other fields, and none can be set", function()
    assert.equal("Pool has no field 'size'", err(function() return p.size end))
    assert.equal("Pool is read-only (cannot set field 'host_count')",
      err(function() p.host_count = 1 end))
  end)
end)

describe("Pool mutators (plain Lua)", function()
  local p
  before_each(function() p = fixture() end)

  describe("add_host", function()
    it("adds a host and returns it", function()
      local h = p:add_host { name = "h3", cpu = 2, memory = 8, disk = 10, network = 100 }
      assert.equal("Host", getmetatable(h))
      assert.equal(R(2, 8, 10, 100), h.capacity)
      assert.equal(R(1, 1, 1, 1), h.overcommit)
      assert.equal("up", h.state)
      assert.equal(3, p.host_count)
    end)

    it("takes overcommit, state, reserved, type and power", function()
      local h = p:add_host { name = "h3", cpu = 2, memory = 8, overcommit = { cpu = 4 },
        state = "draining", reserved = { cpu = 1 }, type = "t",
        power = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } }
      assert.equal(R(8, 8), h.limit)
      assert.equal("draining", h.state)
      assert.equal(R(1), h.reserved)
      assert.equal("t", h.type)
      assert.equal(5, h:power(0.5))
      collectgarbage() -- the type name and power table belong to the pool
      assert.equal("t", h.type)
      assert.equal(5, h:power(0.5))
    end)

    it("rejects bad entries", function()
      assert.equal("add_host: field 'power' must hold 11 numbers (watts at 0, 10, ..., 100 % "
        .. "cpu), got 2", err(p.add_host, p, { name = "x", power = { 1, 2 } }))
      assert.equal("add_host: field 'state' must be \"up\", \"draining\" or \"down\"",
        err(p.add_host, p, { name = "x", state = "off" }))
      assert.equal("add_host: negative reservation",
        err(p.add_host, p, { name = "x", reserved = R(-1) }))
      assert.equal("add_host: field 'overcommit': unknown field 'gpu'",
        err(p.add_host, p, { name = "x", overcommit = { gpu = 2 } }))
      assert.equal("add_host: host 'x': overcommit must be > 0",
        err(p.add_host, p, { name = "x", overcommit = { cpu = 0 } }))
      assert.equal("add_host: host 'h1' already exists", err(p.add_host, p, { name = "h1" }))
      assert.equal(2, p.host_count)
    end)
  end)

  describe("add_vm", function()
    it("adds a pending VM", function()
      local v = p:add_vm { name = "d", cpu = 1, memory = 1 }
      assert.equal("pending", v.state)
      assert.equal(4, p.vm_count)
    end)

    it("places it on a host given by name or proxy", function()
      local v = p:add_vm { name = "d", cpu = 1, memory = 1, host = p:host("h2") }
      assert.equal("h2", v.host.name)
      assert.equal(R(3, 257), p:host("h2").used)
    end)

    it("raises the pool's reason when it does not fit, and adds nothing", function()
      assert.equal("add_vm: VM 'd' needs 4 cpu, host 'h2' has 2 free",
        err(p.add_vm, p, { name = "d", cpu = 4, memory = 1, host = "h2" }))
      assert.is_nil(p:vm("d"))
      assert.equal(3, p.vm_count)
      assert.is_true(p:check())
    end)

    it("takes a demand (cpu number or Resources) and a history (newest first)", function()
      local v = p:add_vm { name = "d", cpu = 2, memory = 8, host = "h1",
        demand = R { cpu = 1, memory = 4 }, history = { 0.5, 0.25 } }
      assert.equal(R(1, 4), v.demand)
      assert.equal(R(1, 4), p:host("h1").demand)
      assert.same({ 0.5, 0.25 }, v.history:values())
    end)

    it("rejects bad entries", function()
      assert.equal("add_vm: unknown field 'size'", err(p.add_vm, p, { name = "d", size = 1 }))
      assert.equal("add_vm: field 'history': element 2 must be a number",
        err(p.add_vm, p, { name = "d", history = { 1, "x" } }))
      assert.equal("add_vm: VM 'a' already exists", err(p.add_vm, p, { name = "a" }))
      assert.equal("add_vm: VM 'd': negative size", err(p.add_vm, p, { name = "d", cpu = -1 }))
    end)
  end)

  it("place and release", function()
    assert.is_true(p:place("c", "h2"))
    assert.equal(R(3, 320), p:host("h2").used)
    assert.is_true(p:release("c"))
    assert.equal("stopped", p:vm("c").state)
    assert.equal(R(2, 256), p:host("h2").used)
    assert.equal("release: VM 'c' is stopped, not running", err(p.release, p, "c"))
    assert.equal("place: VM 'a' is already running", err(p.place, p, "a", "h2"))
  end)

  it("names missing hosts and VMs", function()
    assert.truthy(err(function() return p:place("zz", "h1") end)
      :find("bad argument #1 to 'place' (no such VM in this pool: zz)", 1, true))
    assert.truthy(err(function() return p:place("c", 9) end)
      :find("bad argument #2 to 'place' (no such host in this pool: 9)", 1, true))
    assert.truthy(err(function() return p:place("c", fixture():host("h1")) end)
      :find("no such host in this pool: Host(h1)", 1, true))
    assert.truthy(err(function() return p:place("c", {}) end)
      :find("Host, name or id expected, got table", 1, true))
  end)

  it("set_demand takes a cpu number (rest = size) or Resources", function()
    p:set_demand("a", 1.5)
    assert.equal(R(1.5, 256), p:vm("a").demand)
    assert.equal(R(1.5, 256), p:host("h1").demand)
    p:set_demand("a", R { cpu = 1 })
    assert.equal(R(1), p:host("h1").demand)
    assert.truthy(err(p.set_demand, p, "a", "x"):find("Resources or a table expected", 1, true))
  end)

  it("record appends a sample to every placed VM and every host not down", function()
    p:set_demand("a", 1)
    p:set_state("h2", "down")
    p:record()
    assert.same({ 0.5 }, p:vm("a").history:values())
    assert.same({ 0.125 }, p:host("h1").history:values())
    assert.same({}, p:host("h2").history:values())
    assert.same({ 0 }, p:vm("b").history:values()) -- placed, no demand
    assert.same({}, p:vm("c").history:values()) -- pending
  end)

  it("sums capacity and demand over hosts not down, and counts migrations", function()
    p:set_demand("a", 1.5)
    p:set_demand("b", 0.5)
    assert.equal(R(12, 1536), p.capacity)
    assert.equal(2, p.demand.cpu)
    assert.equal(0, p.migrating)
    p:begin_migration("a", "h2")
    assert.equal(1, p.migrating)
    p:set_state("h2", "draining") -- draining still counts
    assert.equal(R(12, 1536), p.capacity)
    p:set_state("h1", "down")
    assert.equal(R(4, 512), p.capacity)
    assert.equal(0.5, p.demand.cpu)
    assert.equal(1, p.migrating) -- on its way to h2, whatever the states
  end)

  it("migrations: begin, end, abort", function()
    assert.is_true(p:begin_migration("a", "h2"))
    assert.equal(R(4, 512), p:host("h2").used)
    assert.is_true(p:check())
    assert.is_true(p:abort_migration("a"))
    assert.equal("h1", p:vm("a").host.name)
    p:begin_migration("a", "h2")
    assert.is_true(p:end_migration("a"))
    assert.equal("h2", p:vm("a").host.name)
    assert.equal(R(), p:host("h1").used)
    assert.equal("begin_migration: VM 'a' is already on host 'h2'",
      err(p.begin_migration, p, "a", "h2"))
  end)

  it("set_state, set_reservation, set_pool_reservation", function()
    p:set_state("h1", "down")
    assert.equal("down", p:host("h1").state)
    assert.truthy(err(function() p:set_state("h1", "off") end)
      :find("invalid option 'off'", 1, true))
    p:set_reservation("h2", R { cpu = 1 })
    assert.equal(R(1, 256), p:host("h2").free)
    assert.equal("set_reservation: host 'h2': negative reservation",
      err(p.set_reservation, p, "h2", R(-1)))
    p:set_pool_reservation { memory = 100 }
    assert.equal(R { memory = 100 }, p.reservation)
  end)

  it("removes stopped or pending VMs", function()
    assert.is_true(p:remove_vm("c"))
    assert.equal(2, p.vm_count)
    assert.equal("remove_vm: VM 'a' is running: release it first", err(p.remove_vm, p, "a"))
  end)

  it("check() verifies the pool's invariants", function()
    local ok, msg = p:check()
    assert.is_true(ok)
    assert.is_nil(msg)
  end)
end)
