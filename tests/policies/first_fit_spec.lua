-- first_fit_spec.lua - policies/placement/first_fit.lua: the first
-- candidate host (candidates come in host order, each able to hold the VM).
local vp = require "vmpilot"
local P = require "policies.placement.first_fit"

local CTX = { now = 0, interval = 0 }

-- The candidates, in the order given, as the engine passes them.
local hosts = require("tests.policies.helpers").candidates

describe("placement/first_fit", function()
  local pool
  before_each(function()
    pool = vp.pool {
      hosts = {
        { name = "h1", cpu = 4, memory = 1024 },
        { name = "h2", cpu = 16, memory = 8192 },
        { name = "h3", cpu = 8, memory = 2048 },
      },
      vms = {
        { name = "x", cpu = 3, memory = 512, host = "h1" },
        { name = "v", cpu = 1, memory = 256 },
      },
    }
  end)

  it("is named first-fit and has a place slot", function()
    assert.equal("first-fit", P.name)
    assert.is_function(P.place)
  end)

  it("picks the first candidate, however tight or loose it is", function()
    local h, why = P.place(pool:vm("v"), pool:hosts(), CTX)
    assert.equal("h1", h.name)
    assert.equal("first fit: h1", why)
  end)

  it("follows the order of the candidates it is given", function()
    assert.equal("h3", P.place(pool:vm("v"), hosts(pool, "h3", "h2"), CTX).name)
    assert.equal("h2", P.place(pool:vm("v"), hosts(pool, "h2", "h1", "h3"), CTX).name)
  end)

  it("returns exactly a Host proxy of the candidates and a string", function()
    local candidates = pool:hosts()
    local n = select("#", P.place(pool:vm("v"), candidates, CTX))
    local h, why = P.place(pool:vm("v"), candidates, CTX)
    assert.equal(2, n)
    assert.equal("Host", getmetatable(h))
    assert.is_true(rawequal(candidates[1], h))
    assert.equal("string", type(why))
  end)

  it("leaves the pool unchanged", function()
    P.place(pool:vm("v"), pool:hosts(), CTX)
    assert.equal("pending", pool:vm("v").state)
    assert.equal(vp.Resources(1, 512), pool:host("h1").free)
  end)

  it("returns nil and a reason when there is no candidate", function()
    local n = select("#", P.place(pool:vm("v"), {}, CTX))
    local h, why = P.place(pool:vm("v"), {}, CTX)
    assert.equal(2, n)
    assert.is_nil(h)
    assert.equal("no candidate host", why)
  end)
end)
