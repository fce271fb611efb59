-- reservation_spec.lua - the Reservation builder reserve() policies
-- return: hold, hold_pool, get, pool, errors.
local H = require "tests.bindings.helpers"
local vp, R, err = H.vp, H.R, H.err

describe("Reservation", function()
  local pool, h1, h2
  before_each(function()
    pool = H.two_hosts()
    h1, h2 = pool:host("h1"), pool:host("h2")
  end)

  it("starts empty", function()
    local r = vp.Reservation()
    assert.equal(0, #r)
    assert.is_nil(r.pool)
    assert.is_nil(r:get(h1))
    assert.equal("Reservation(0 hosts)", tostring(r))
  end)

  it("holds capacity per host; a later hold on a host replaces the earlier", function()
    local r = vp.Reservation()
    r:hold(h1, R { cpu = 1 })
    r:hold(h2, R { cpu = 2 })
    r:hold(h1, R { cpu = 3 })
    assert.equal(2, #r)
    assert.equal(R(3), r:get(h1))
    assert.equal(R(2), r:get(h2))
  end)

  it("holds capacity for the pool", function()
    local r = vp.Reservation():hold_pool(R { memory = 512 })
    assert.equal(R { memory = 512 }, r.pool)
    assert.equal("Reservation(0 hosts, pool)", tostring(r))
  end)

  it("chains", function()
    local r = vp.Reservation():hold(h1, R(1)):hold(h2, R(2)):hold_pool(R(3))
    assert.equal(2, #r)
    assert.equal(R(3), r.pool)
  end)

  it("grows past its first block", function()
    local names = {}
    for i = 1, 40 do names[i] = "n" .. i end
    local p = vp.pool { hosts = H.named(names, { cpu = 1 }) }
    local r = vp.Reservation()
    for i, h in ipairs(p:hosts()) do r:hold(h, R(i)) end
    assert.equal(40, #r)
    for i, h in ipairs(p:hosts()) do assert.equal(R(i), r:get(h)) end
  end)

  it("accepts negative values (the engine rejects them)", function()
    local r = vp.Reservation():hold(h1, R(-1)):hold_pool(R(0, -5))
    assert.equal(R(-1), r:get(h1))
    assert.equal(R(0, -5), r.pool)
  end)

  it("checks its arguments", function()
    local r = vp.Reservation()
    assert.truthy(err(function() r:hold("h1", R(1)) end)
      :find("bad argument #1 to 'hold' (Host expected, got string)", 1, true))
    assert.truthy(err(function() r:hold(h1, { cpu = 1 }) end)
      :find("bad argument #2 to 'hold' (Resources expected, got table)", 1, true))
    assert.truthy(err(function() r:hold_pool(1) end)
      :find("Resources expected, got number", 1, true))
    assert.truthy(err(function() return r:get(pool:vms()) end)
      :find("Host expected, got table", 1, true))
  end)

  it("has no other fields, and none can be set", function()
    local r = vp.Reservation()
    assert.equal("Reservation has no field 'hosts'", err(function() return r.hosts end))
    assert.truthy(err(function() r.pool = R(1) end):find("cannot be set", 1, true))
  end)
end)
