-- migration_spec.lua - the Migration a migrate_when policy receives;
-- in plain Lua, made with pool:migration{}.
local H = require "tests.bindings.helpers"
local err = H.err

describe("Migration", function()
  local pool
  before_each(function()
    pool = H.two_hosts { { name = "v", cpu = 2, host = "h1" }, { name = "p", cpu = 1 } }
  end)

  it("has vm, from (the VM's host), to, why, proposed, asked", function()
    local m = pool:migration { vm = "v", to = "h2", why = "overload", proposed = 300, asked = 2 }
    assert.is_true(rawequal(pool:vm("v"), m.vm))
    assert.is_true(rawequal(pool:host("h1"), m.from))
    assert.is_true(rawequal(pool:host("h2"), m.to))
    assert.equal("overload", m.why)
    assert.equal(300, m.proposed)
    assert.equal(2, m.asked)
    assert.equal("Migration(v: h1 -> h2)", tostring(m))
  end)

  it("defaults why to \"\", proposed and asked to 0", function()
    local m = pool:migration { vm = pool:vm("v"), to = pool:host("h2") }
    assert.equal("", m.why)
    assert.equal(0, m.proposed)
    assert.equal(0, m.asked)
    assert.is_true(math.type(m.asked) == "integer")
  end)

  it("needs a VM on another host", function()
    assert.equal("migration: VM 'p' is pending, not on a host",
      err(pool.migration, pool, { vm = "p", to = "h2" }))
    assert.equal("migration: VM 'v' is running on that host already",
      err(pool.migration, pool, { vm = "v", to = "h1" }))
    assert.equal("migration: field 'to': no such host in this pool: nil",
      err(pool.migration, pool, { vm = "v" }))
    assert.equal("migration: unknown field 'from'",
      err(pool.migration, pool, { vm = "v", to = "h2", from = "h1" }))
  end)

  it("has no other fields, and none can be set", function()
    local m = pool:migration { vm = "v", to = "h2" }
    assert.equal("Migration has no field 'host'", err(function() return m.host end))
    assert.equal("Migration is read-only (cannot set field 'why')",
      err(function() m.why = "x" end))
  end)
end)
