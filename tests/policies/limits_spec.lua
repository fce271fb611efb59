-- limits_spec.lua - policies/migration/limits.lua: a migration away from
-- an overloaded source (cpu utilization > P.urgent) starts now; otherwise
-- at most P.per_host migrations may touch a host (in or out) and P.per_pool
-- run in the pool (over a limit: retry in P.retry s); in a busy pool (cpu
-- demand > P.busy of capacity, hosts not down) wait P.quiet_wait s, up to
-- P.max_waits times, then go ahead; otherwise now.
local vp = require "vmpilot"
local P = require "policies.migration.limits"

local CTX = { now = 900, interval = 300 }
local KNOBS = { "per_host", "per_pool", "retry", "urgent", "busy", "quiet_wait", "max_waits" }

-- A quiet pool: four 100-cpu hosts at 3 % or less.  v is on s and will be
-- asked about going to t; s1, s2, t1, t2 and o1_1..o1_10 can be set
-- migrating to make links busy.
local function quiet_pool()
  local vms = {
    { name = "v", cpu = 1, memory = 10, host = "s", demand = 1 },
    { name = "s1", cpu = 1, memory = 10, host = "s", demand = 1 },
    { name = "s2", cpu = 1, memory = 10, host = "s", demand = 1 },
    { name = "t1", cpu = 1, memory = 10, host = "t", demand = 1 },
    { name = "t2", cpu = 1, memory = 10, host = "t", demand = 1 },
  }
  for i = 1, 10 do
    vms[#vms + 1] = { name = "o1_" .. i, cpu = 1, memory = 10, host = "o1", demand = 0.3 }
  end
  return vp.pool {
    hosts = {
      { name = "s", cpu = 100, memory = 10000 },
      { name = "t", cpu = 100, memory = 10000 },
      { name = "o1", cpu = 100, memory = 10000 },
      { name = "o2", cpu = 100, memory = 10000 },
    },
    vms = vms,
  }
end

local function ask(pool, asked)
  local m = pool:migration { vm = "v", to = "t", why = "test", proposed = 600, asked = asked or 0 }
  return P.migrate_when(m, pool, CTX)
end

describe("migration/limits", function()
  local saved
  before_each(function()
    saved = {}
    for _, k in ipairs(KNOBS) do saved[k] = P[k] end
  end)
  after_each(function()
    for _, k in ipairs(KNOBS) do P[k] = saved[k] end
  end)

  it("is named limits, has a migrate_when slot and its documented defaults", function()
    assert.equal("limits", P.name)
    assert.is_function(P.migrate_when)
    assert.same({ per_host = 2, per_pool = 10, retry = 30, urgent = 1.0, busy = 0.7,
                  quiet_wait = 300, max_waits = 3 }, saved)
  end)

  it("starts a migration now when within every limit", function()
    local pool = quiet_pool()
    local n = select("#", ask(pool))
    local when, why = ask(pool)
    assert.equal(2, n)
    assert.equal("now", when)
    assert.equal("within limits", why)
  end)

  describe("per host", function()
    local pool
    before_each(function() pool = quiet_pool() end)

    it("retries when P.per_host VMs are already migrating away from the source", function()
      pool:begin_migration("s1", "o2")
      pool:begin_migration("s2", "o2")
      local n = select("#", ask(pool))
      local when, why = ask(pool)
      assert.equal(2, n)
      assert.equal(30, when)
      assert.equal("number", type(when))
      assert.equal("2 migrations per host at most", why)
    end)

    it("retries when P.per_host VMs are already migrating to the destination", function()
      pool:begin_migration("o1_1", "t")
      pool:begin_migration("o1_2", "t")
      assert.equal(30, (ask(pool)))
    end)

    it("retries when the destination already sends P.per_host VMs away", function()
      pool:begin_migration("t1", "o2")
      pool:begin_migration("t2", "o2")
      assert.equal(30, (ask(pool)))
    end)

    it("counts migrations in and out of a host together", function()
      pool:begin_migration("s1", "o2") -- out of s
      pool:begin_migration("o1_1", "s") -- into s
      assert.equal(30, (ask(pool)))
    end)

    it("lets a migration start with one link busy on each end", function()
      pool:begin_migration("s1", "o2")
      pool:begin_migration("t1", "o2")
      assert.equal("now", (ask(pool)))
    end)

    it("follows changed P.per_host and P.retry", function()
      P.per_host, P.retry = 1, 45
      pool:begin_migration("o1_1", "t")
      local when, why = ask(pool)
      assert.equal(45, when)
      assert.equal("1 migrations per host at most", why)
    end)
  end)

  describe("per pool", function()
    local pool
    before_each(function() pool = quiet_pool() end)

    it("retries when P.per_pool migrations are running anywhere in the pool", function()
      for i = 1, 10 do pool:begin_migration("o1_" .. i, "o2") end
      local when, why = ask(pool)
      assert.equal(30, when)
      assert.equal("10 migrations in the pool at most", why)
    end)

    it("lets a migration start with one fewer running", function()
      for i = 1, 9 do pool:begin_migration("o1_" .. i, "o2") end
      assert.equal("now", (ask(pool)))
    end)

    it("follows a changed P.per_pool", function()
      P.per_pool = 3
      for i = 1, 3 do pool:begin_migration("o1_" .. i, "o2") end
      local when, why = ask(pool)
      assert.equal(30, when)
      assert.equal("3 migrations in the pool at most", why)
    end)
  end)

  describe("busy pool", function()
    -- s and t at 75 % each: pool demand 15 / capacity 20 = 0.75 > 0.7.
    -- A down host's capacity does not count; a draining one's does.
    local function busy_pool(extra)
      local hosts = {
        { name = "s", cpu = 10, memory = 1000 },
        { name = "t", cpu = 10, memory = 1000 },
      }
      for _, h in ipairs(extra or {}) do hosts[#hosts + 1] = h end
      return vp.pool {
        hosts = hosts,
        vms = {
          { name = "v", cpu = 8, memory = 10, host = "s", demand = 7.5 },
          { name = "w", cpu = 8, memory = 10, host = "t", demand = 7.5 },
        },
      }
    end

    it("waits P.quiet_wait while the migration was asked fewer than P.max_waits times", function()
      local pool = busy_pool()
      for asked = 0, 2 do
        local n = select("#", ask(pool, asked))
        local when, why = ask(pool, asked)
        assert.equal(2, n)
        assert.equal(300, when)
        assert.equal("pool busy (cpu 75%): waiting for a quieter period", why)
      end
    end)

    it("goes ahead after P.max_waits waits", function()
      local pool = busy_pool()
      for _, asked in ipairs { 3, 4, 10 } do
        local when, why = ask(pool, asked)
        assert.equal("now", when)
        assert.equal("within limits", why)
      end
    end)

    it("is not busy at exactly P.busy", function()
      local pool = busy_pool()
      pool:set_demand("v", 7)
      pool:set_demand("w", 7) -- 14 / 20 = 0.7
      assert.equal("now", (ask(pool)))
    end)

    it("leaves down hosts out of the pool's capacity", function()
      local pool = busy_pool { { name = "off", cpu = 20, memory = 1000, state = "down" } }
      assert.equal(300, (ask(pool)))
    end)

    it("counts draining hosts in the pool's capacity", function()
      -- 15 / (20 + 30) = 0.3
      local pool = busy_pool { { name = "dr", cpu = 30, memory = 1000, state = "draining" } }
      assert.equal("now", (ask(pool)))
    end)

    it("applies the per-host and per-pool limits first", function()
      local pool = busy_pool { { name = "o", cpu = 100, memory = 1000 } }
      pool:add_vm { name = "x", cpu = 1, memory = 10, host = "o" }
      pool:add_vm { name = "y", cpu = 1, memory = 10, host = "o" }
      pool:begin_migration("x", "t")
      pool:begin_migration("y", "t")
      local when, why = ask(pool, 5)
      assert.equal(30, when)
      assert.equal("2 migrations per host at most", why)
    end)

    it("follows changed P.busy, P.quiet_wait and P.max_waits", function()
      local pool = busy_pool()
      P.quiet_wait, P.max_waits = 60, 5
      assert.equal(60, (ask(pool, 4)))
      assert.equal("now", (ask(pool, 5)))
      P.max_waits = 0
      assert.equal("now", (ask(pool, 0)))
      P.max_waits, P.busy = 3, 0.8
      assert.equal("now", (ask(pool, 0)))
    end)
  end)

  describe("urgent source", function()
    -- s: 4 cpu x overcommit 4, demand 1 + 2 + 2 = 5: utilization 1.25 > 1.
    -- The pool is busy too: (5 + 3) / (4 + 4 + 0 + 2) = 0.8 > 0.7.
    local function hot_pool()
      local vms = {
        { name = "v", cpu = 1, memory = 10, host = "s", demand = 1 },
        { name = "s1", cpu = 1, memory = 10, host = "s", demand = 2 },
        { name = "s2", cpu = 1, memory = 10, host = "s", demand = 2 },
        { name = "w", cpu = 4, memory = 10, host = "t", demand = 3 },
      }
      for i = 1, 10 do
        vms[#vms + 1] = { name = "o1_" .. i, cpu = 0, memory = 10, host = "o1", demand = 0 }
      end
      return vp.pool {
        hosts = {
          { name = "s", cpu = 4, memory = 1000, overcommit = { cpu = 4 } },
          { name = "t", cpu = 4, memory = 1000 },
          { name = "o1", cpu = 0, memory = 1000 },
          { name = "o2", cpu = 2, memory = 1000 },
        },
        vms = vms,
      }
    end

    it("starts now even over the per-host limit", function()
      local pool = hot_pool()
      pool:begin_migration("s1", "o2")
      pool:begin_migration("s2", "o2")
      local n = select("#", ask(pool))
      local when, why = ask(pool)
      assert.equal(2, n)
      assert.equal("now", when)
      assert.equal("source s overloaded (cpu 125%)", why)
    end)

    it("starts now even over the per-pool limit", function()
      local pool = hot_pool()
      for i = 1, 10 do pool:begin_migration("o1_" .. i, "o2") end
      assert.equal("now", (ask(pool)))
    end)

    it("starts now even in a busy pool, on the first ask", function()
      local pool = hot_pool()
      local when, why = ask(pool, 0)
      assert.equal("now", when)
      assert.equal("source s overloaded (cpu 125%)", why)
      P.urgent = 2 -- no longer urgent: the same pool makes it wait
      assert.equal(300, (ask(pool, 0)))
    end)

    it("is not urgent at exactly P.urgent", function()
      local pool = hot_pool()
      pool:set_demand("v", 0) -- 4 / 4 = 1.0
      pool:begin_migration("s1", "o2")
      pool:begin_migration("s2", "o2")
      assert.equal(30, (ask(pool)))
    end)

    it("follows a changed P.urgent", function()
      local pool = hot_pool()
      pool:begin_migration("s1", "o2")
      pool:begin_migration("s2", "o2")
      P.urgent = 1.5
      assert.equal(30, (ask(pool)))
    end)
  end)

  it("returns only \"now\" or a positive number of seconds, with a string reason", function()
    local pool = quiet_pool()
    local cases = {}
    cases[#cases + 1] = { ask(pool) }
    pool:begin_migration("s1", "o2")
    pool:begin_migration("s2", "o2")
    cases[#cases + 1] = { ask(pool) }
    for _, c in ipairs(cases) do
      local when, why = c[1], c[2]
      assert.is_true(when == "now" or (math.type(when) ~= nil and when > 0))
      assert.equal("string", type(why))
    end
  end)

  it("does not change the pool", function()
    local pool = quiet_pool()
    ask(pool)
    assert.equal("running", pool:vm("v").state)
    assert.equal(0, pool:host("t").incoming_count)
  end)
end)
