-- proxy_spec.lua - how proxies behave: one object per host or VM (so
-- they work as table keys), a Vm's .host, pools kept apart, the module.
local H = require "tests.bindings.helpers"
local vp, err = H.vp, H.err

-- h1 holds a and b, h2 holds c.
local function fixture()
  local vms = H.named({ "a", "b", "c" }, { cpu = 1, host = "h1" })
  vms[3].host = "h2"
  return H.two_hosts(vms)
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

  it("check what their __index is called on", function()
    local p = fixture()
    local index = debug.getmetatable(p:host("h1")).__index
    assert.truthy(err(index, vp.Resources(), "name"):find("Host expected, got Resources", 1, true))
    assert.truthy(err(index, p:vm("a"), "name"):find("Host expected, got Vm", 1, true))
    assert.equal("h1", index(p:host("h1"), "name"))
  end)

  it("of a removed VM fail on reads, methods included", function()
    local p = fixture()
    p:release("a")
    local v = p:vm("a")
    local h = v.history
    p:remove_vm("a")
    assert.equal("VM id 0 no longer exists", err(function() return v.size end))
    assert.equal("VM id 0 no longer exists", err(function() return h[1] end))
    assert.equal("VM id 0 no longer exists", err(function() return h.avg end))
    assert.equal("VM id 0 no longer exists", err(function() return h:mean() end))
    assert.equal("History(expired)", tostring(h))
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
