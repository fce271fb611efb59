-- resources_spec.lua - the Resources value class of require "vmpilot":
-- constructors, fields, arithmetic, comparisons, methods and errors.
-- Run (from the repository root): LUA_PATH="./?.lua;;"
-- LUA_CPATH="<dir of vmpilot.so>/?.so;;" lua5.4 busted tests/bindings
local H = require "tests.bindings.helpers"
local R, err = H.R, H.err

describe("Resources", function()
  describe("constructors", function()
    it("takes named fields; missing ones are 0", function()
      local r = R { cpu = 2, memory = 4096 }
      assert.equal(2, r.cpu)
      assert.equal(4096, r.memory)
      assert.equal(0, r.disk)
      assert.equal(0, r.network)
    end)

    it("takes positional cpu, memory, disk, network", function()
      local r = R(1, 2, 3, 4)
      assert.same({ 1, 2, 3, 4 }, { r.cpu, r.memory, r.disk, r.network })
      assert.equal(R { cpu = 5 }, R(5))
      assert.is_true(R():is_zero())
    end)

    it("copies a Resources", function()
      local a = R(1, 2)
      local b = R(a)
      assert.equal(a, b)
      assert.is_false(rawequal(a, b))
    end)

    it("rejects unknown fields, naming them", function()
      assert.equal("Resources: unknown field 'cpus' (fields are cpu, memory, disk, network)",
        err(R, { cpus = 2 }))
      local e = err(R, { cpu = 1, mem = 1, dsk = 2 })
      assert.truthy(e:find("unknown fields", 1, true))
      assert.truthy(e:find("'mem'", 1, true))
      assert.truthy(e:find("'dsk'", 1, true))
    end)

    it("rejects non-numbers", function()
      assert.equal("Resources: field 'memory' must be a number, got string",
        err(R, { memory = "4096" }))
      assert.truthy(err(R, "x"):find("number expected", 1, true))
    end)
  end)

  describe("fields", function()
    it("are read-only", function()
      local r = R(1)
      assert.equal("Resources are read-only", err(function() r.cpu = 2 end))
      assert.equal("Resources are read-only", err(function() r.extra = 2 end))
      assert.equal(1, r.cpu)
    end)

    it("unknown ones are errors", function()
      assert.equal("Resources has no field 'gpu'", err(function() return R(1).gpu end))
    end)

    it("print with %g", function()
      assert.equal("Resources{cpu=2, memory=4096, disk=0, network=0}",
        tostring(R { cpu = 2, memory = 4096 }))
      assert.equal("Resources{cpu=0.5, memory=-1, disk=1e+06, network=0}",
        tostring(R(0.5, -1, 1e6)))
    end)
  end)

  describe("arithmetic", function()
    local a, b = R(1, 2, 3, 4), R(10, 20, 30, 40)

    it("adds and subtracts component-wise", function()
      assert.equal(R(11, 22, 33, 44), a + b)
      assert.equal(R(9, 18, 27, 36), b - a)
      assert.equal(R(-1, -2, -3, -4), -a)
    end)

    it("scales by a number on either side, divides by a number", function()
      assert.equal(R(2, 4, 6, 8), a * 2)
      assert.equal(R(2, 4, 6, 8), 2 * a)
      assert.equal(R(5, 10, 15, 20), b / 2)
    end)

    it("does not change its operands", function()
      local _ = a + b
      assert.equal(R(1, 2, 3, 4), a)
    end)

    it("rejects other operand types", function()
      assert.equal("cannot add Resources and number (both must be Resources)",
        err(function() return a + 1 end))
      assert.equal("cannot subtract table and Resources (both must be Resources)",
        err(function() return {} - a end))
      assert.equal("cannot multiply Resources by Resources (Resources can be multiplied by a "
        .. "number only)", err(function() return a * b end))
      assert.equal("cannot divide number by Resources (Resources can be divided by a number "
        .. "only)", err(function() return 2 / a end))
      assert.truthy(err(function() return a * "2" end):find("multiplied by a number", 1, true))
    end)
  end)

  describe("comparisons", function()
    it("== is exact", function()
      assert.is_true(R(1, 2) == R(1, 2))
      assert.is_false(R(0.1 + 0.2) == R(0.3))
      assert.is_false(R(1) == R(1, 0, 0, 1e-300))
      assert.is_false(R(1) == 1)
    end)

    it("<= holds when every component is <= (within 1e-9 relative)", function()
      assert.is_true(R(1, 2) <= R(1, 2))
      assert.is_true(R(1, 2) <= R(2, 2))
      assert.is_false(R(1, 3) <= R(2, 2))
      assert.is_true(R(0.1 + 0.2) <= R(0.3))
      assert.is_true(R(1000 * (1 + 1e-12)) <= R(1000))
      assert.is_false(R(1000 * (1 + 1e-6)) <= R(1000))
    end)

    it("< needs <= everywhere and < somewhere", function()
      assert.is_true(R(1, 2) < R(1, 3))
      assert.is_false(R(1, 2) < R(1, 2))
      assert.is_false(R(0.1 + 0.2) < R(0.3))
      assert.is_false(R(1, 4) < R(2, 3))
      assert.is_false(R(2, 3) < R(1, 4))
      assert.is_true(R(1, 3) > R(1, 2))
    end)

    it("rejects non-Resources", function()
      assert.equal("cannot compare Resources and number (both must be Resources)",
        err(function() return R(1) <= 1 end))
    end)
  end)

  describe("methods", function()
    it("fits(limit) compares like <=", function()
      assert.is_true(R(1, 2):fits(R(1, 2)))
      assert.is_false(R(1, 3):fits(R(1, 2)))
    end)

    it("over(limit) names the first resource over, or nil", function()
      assert.is_nil(R(1, 2):over(R(1, 2)))
      assert.equal("memory", R(1, 3, 5):over(R(1, 2, 4)))
      assert.equal("network", R(0, 0, 0, 1):over(R()))
    end)

    it("max and min are component-wise", function()
      assert.equal(R(3, 2, 5, 0), R(1, 2, 5, -1):max(R(3, 1, 0, 0)))
      assert.equal(R(1, 1, 0, -1), R(1, 2, 5, -1):min(R(3, 1, 0, 0)))
    end)

    it("dominant_share returns the largest share and its resource", function()
      local share, name = R(2, 512):dominant_share(R(8, 1024))
      assert.equal(0.5, share)
      assert.equal("memory", name)
      -- components whose capacity is 0 are skipped
      share, name = R(1, 0, 7, 0):dominant_share(R(4, 0, 0, 0))
      assert.equal(0.25, share)
      assert.equal("cpu", name)
      share, name = R(1):dominant_share(R())
      assert.equal(0, share)
      assert.is_nil(name)
    end)

    it("is_zero and nonneg", function()
      assert.is_true(R():is_zero())
      assert.is_false(R(0, 0, 0, 1e-300):is_zero())
      assert.is_true(R(0, 1):nonneg())
      assert.is_false(R(0, -1):nonneg())
    end)

    it("check their arguments", function()
      assert.truthy(err(function() return R(1):fits(1) end)
        :find("Resources expected, got number", 1, true))
    end)
  end)
end)
