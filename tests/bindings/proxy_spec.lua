-- proxy_spec.lua - how proxies behave: one object per host or VM (so
-- they work as table keys), a Vm's .host, pools kept apart, the module.
local vp = require "vmpilot"

local function err(fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected an error")
  return (tostring(e):gsub("^[^:]+:%d+: ", ""))
end

local function fixture()
  return vp.pool {
    hosts = { { name = "h1", cpu = 8 }, { name = "h2", cpu = 8 } },
    vms = { { name = "a", cpu = 1, host = "h1" }, { name = "b", cpu = 1, host = "h1" },
      { name = "c", cpu = 1, host = "h2" } },
  }
end

describe("proxies", function()
  it("are the same object for the same host, however reached", function()
    local p = fixture()
    local h = p:host("h1")
    assert.is_true(rawequal(h, p:host(0)))
    assert.is_true(rawequal(h, p:hosts()[1]))
    assert.is_true(rawequal(h, p:vm("a").host))
    assert.is_true(rawequal(p:vm("a"), h:vms()[1]) or rawequal(p:vm("a"), h:vms()[2]))
  end)

  it("work as table keys", function()
    local p = fixture()
    local count = {}
    for _, v in ipairs(p:vms()) do
      count[v.host] = (count[v.host] or 0) + 1
    end
    assert.equal(2, count[p:host("h1")])
    assert.equal(1, count[p:host("h2")])
    local n = 0
    for _ in pairs(count) do n = n + 1 end
    assert.equal(2, n)
  end)

  it("stay the same object after a collection while held", function()
    local p = fixture()
    local h = p:host("h2")
    collectgarbage()
    collectgarbage()
    assert.is_true(rawequal(h, p:host("h2")))
  end)

  it("keep their pool alive", function()
    local h = fixture():host("h1")
    collectgarbage()
    collectgarbage()
    assert.equal("h1", h.name)
    assert.equal(2, h.vm_count)
    assert.equal("a", h:vms()[1].name)
  end)

  it("of two pools are different objects and do not mix", function()
    local p, q = fixture(), fixture()
    assert.is_false(rawequal(p:host("h1"), q:host("h1")))
    assert.is_false(p:host("h1") == q:host("h1"))
    assert.truthy(err(function() p:place("a", q:host("h2")) end)
      :find("no such host in this pool", 1, true))
  end)

  it("of one class are not accepted for another", function()
    local p = fixture()
    local r = vp.Reservation()
    assert.truthy(err(function() r:hold(p:vm("a"), vp.Resources(1)) end)
      :find("Host expected, got Vm", 1, true))
  end)

  it("hide their metatables", function()
    local p = fixture()
    assert.equal("Host", getmetatable(p:host("h1")))
    assert.equal("Vm", getmetatable(p:vm("a")))
    assert.equal("Pool", getmetatable(p))
    assert.equal("Resources", getmetatable(vp.Resources()))
    assert.has_error(function() setmetatable(p:host("h1"), {}) end)
  end)
end)

describe("the vmpilot module", function()
  it("has its constructors, stats and version", function()
    assert.equal("0.1.0", vp.version)
    assert.is_function(vp.Resources)
    assert.is_function(vp.Reservation)
    assert.is_function(vp.pool)
    for _, f in ipairs { "mean", "median", "mad", "quantile", "iqr", "stdev", "trend" } do
      assert.is_function(vp.stats[f], f)
    end
  end)
end)
