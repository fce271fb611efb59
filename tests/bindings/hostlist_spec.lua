-- hostlist_spec.lua - the HostList class (placement candidates): length,
-- indexing, ipairs, list(), and the C queries tightest/loosest.
local H = require "tests.bindings.helpers"
local vp, err = H.vp, H.err

-- Free after placing v (cpu 2, memory 512):
--   a: 16-4 = 12 -> 10 cpu left, 4096-1024 -> 2560 MiB left
--   b:  8        ->  6 cpu left, 4096      -> 3584 MiB left
--   c: 16-10 = 6 ->  4 cpu left, 2048      -> 1536 MiB left
--   d:  6        ->  4 cpu left, 1024      ->  512 MiB left (ties c on cpu)
local function fixture()
  local pool = vp.pool {
    hosts = {
      { name = "a", cpu = 16, memory = 4096 }, { name = "b", cpu = 8, memory = 4096 },
      { name = "c", cpu = 16, memory = 2048 }, { name = "d", cpu = 6, memory = 1024 },
    },
    vms = {
      { name = "x", cpu = 4, memory = 1024, host = "a" },
      { name = "y", cpu = 10, memory = 0, host = "c" },
      { name = "v", cpu = 2, memory = 512 },
    },
  }
  return pool, vp.HostList(pool, pool:hosts())
end

describe("HostList", function()
  it("has a length, 1-based Hosts and nil past the end", function()
    local pool, hosts = fixture()
    assert.equal(4, #hosts)
    assert.equal("a", hosts[1].name)
    assert.equal("d", hosts[4].name)
    assert.is_nil(hosts[0])
    assert.is_nil(hosts[5])
    assert.is_true(rawequal(pool:host("b"), hosts[2])) -- the same proxy object
  end)

  it("works with ipairs and list()", function()
    local _, hosts = fixture()
    local seen = {}
    for i, h in ipairs(hosts) do seen[i] = h.name end
    assert.same({ "a", "b", "c", "d" }, seen)
    local t = hosts:list()
    assert.equal("table", type(t))
    assert.same({ "a", "b", "c", "d" }, H.names(t))
  end)

  it("finds the tightest host in C, ties on memory left", function()
    local pool, hosts = fixture()
    local h, left = hosts:tightest(pool:vm("v"))
    assert.equal("d", h.name) -- c and d leave 4 cpu; d leaves less memory
    assert.equal(4, left)
    local m, mleft = hosts:tightest(pool:vm("v"), "memory")
    assert.equal("d", m.name)
    assert.equal(512, mleft)
  end)

  it("finds the loosest host in C", function()
    local pool, hosts = fixture()
    local h, left = hosts:loosest(pool:vm("v"))
    assert.equal("a", h.name)
    assert.equal(10, left)
    assert.equal("b", (hosts:loosest(pool:vm("v"), "memory")).name)
  end)

  it("keeps the order it was given and ties go to the earlier", function()
    local pool = fixture()
    local hosts = vp.HostList(pool, { pool:host("c"), pool:host("a") })
    assert.same({ "c", "a" }, H.names(hosts:list()))
    local same = vp.HostList(pool, { pool:host("a"), pool:host("a") })
    assert.is_true(rawequal(same[1], (same:tightest(pool:vm("v")))))
  end)

  it("returns nil when empty", function()
    local pool = fixture()
    local none = vp.HostList(pool, {})
    assert.equal(0, #none)
    assert.is_nil(none:tightest(pool:vm("v")))
    assert.is_nil(none:loosest(pool:vm("v")))
  end)

  it("refuses bad arguments", function()
    local pool, hosts = fixture()
    assert.matches("Vm expected", err(hosts.tightest, hosts, pool:host("a")))
    assert.matches("invalid option 'gpu'", err(hosts.tightest, hosts, pool:vm("v"), "gpu"))
    assert.matches("Host expected", err(vp.HostList, pool, { pool:vm("v") }))
    local other = vp.pool { hosts = { { name = "z", cpu = 1, memory = 1 } } }
    assert.matches("Hosts of another pool", err(vp.HostList, pool, { other:host("z") }))
    assert.matches("HostList has no field 'foo'", err(function() return hosts.foo end))
    assert.matches("read%-only", err(function() hosts[1] = 1 end))
  end)
end)
