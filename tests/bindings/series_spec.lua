-- series_spec.lua - the Series class (what Plan:history returns) and the
-- statistics that read it, among them stats.ols.
local H = require "tests.bindings.helpers"
local vp, err = H.vp, H.err

-- A Series through the public API: a one-host pool whose VM has the
-- given history (newest first); the host's history is that VM's share.
local function series(values)
  local pool = vp.pool {
    hosts = { { name = "h", cpu = 10, memory = 1024 } },
    vms = { { name = "v", cpu = 10, memory = 1, host = "h", demand = 1, history = values } },
  }
  return vp.Plan(pool):history(pool:host("h"))
end

describe("Series", function()
  it("reads like an array: #, s[i], nil outside, ipairs, values()", function()
    local s = series { 0.5, 0.25, 0.75 }
    assert.equal(3, #s)
    assert.equal(0.5, s[1])
    assert.equal(0.75, s[3])
    assert.is_nil(s[0])
    assert.is_nil(s[4])
    assert.is_nil(s[1.5])
    local seen = {}
    for i, x in ipairs(s) do seen[i] = x end
    assert.same({ 0.5, 0.25, 0.75 }, seen)
    assert.same({ 0.5, 0.25, 0.75 }, s:values())
    assert.equal("Series(3 values)", tostring(s))
  end)

  it("gives reversed and sorted copies", function()
    local s = series { 0.5, 0.25, 0.75, 0.125 }
    assert.same({ 0.125, 0.75, 0.25, 0.5 }, s:reversed():values())
    assert.same({ 0.25, 0.5 }, s:reversed(2):values())
    assert.same({}, s:reversed(0):values())
    assert.same({ 0.125, 0.25, 0.5, 0.75 }, s:sorted():values())
    assert.same({ 0.5, 0.25, 0.75, 0.125 }, s:values()) -- unchanged
    assert.matches("n must be 0..#s", err(function() return s:reversed(5) end))
  end)

  it("is read-only and names unknown fields", function()
    local s = series { 0.5 }
    assert.equal("Series is read-only", err(function() s[1] = 2 end))
    assert.equal("Series has no field 'mean'", err(function() return s.mean end))
  end)

  it("is read by vmpilot.stats like an array", function()
    local xs = { 0.5, 0.25, 0.75, 0.125, 1 }
    local s = series(xs)
    for _, f in ipairs { "mean", "median", "mad", "iqr", "stdev", "min", "max" } do
      assert.equal(vp.stats[f](xs), vp.stats[f](s), f)
    end
    assert.same(vp.stats.sorted(xs), vp.stats.sorted(s))
    assert.same({ vp.stats.ols(xs) }, { vp.stats.ols(s) })
  end)
end)

describe("stats.ols_newest", function()
  it("fits the n newest values of a newest-first series, oldest first", function()
    local newest_first = { 0.9, 0.7, 0.8, 0.4, 0.3, 0.1 }
    for _, xs in ipairs { newest_first, series(newest_first) } do
      -- the 4 newest, oldest first: 0.4, 0.8, 0.7, 0.9: bit-identical to ols
      assert.same({ vp.stats.ols { 0.4, 0.8, 0.7, 0.9 } }, { vp.stats.ols_newest(xs, 4) })
      assert.same({ vp.stats.ols { 0.1, 0.3, 0.4, 0.8, 0.7, 0.9 } }, { vp.stats.ols_newest(xs, 6) })
      assert.is_nil(vp.stats.ols_newest(xs, 7)) -- fewer values than n
    end
  end)

  it("checks n", function()
    assert.matches("n must be 2..4096", err(function() return vp.stats.ols_newest({ 1, 2 }, 1) end))
    assert.matches("number expected", err(function() return vp.stats.ols_newest({ 1, 2 }) end))
  end)
end)

describe("stats.order", function()
  it("gives the k-th smallest values, one per rank", function()
    local xs = { 0.5, 0.25, 0.75, 0.125, 1 }
    for _, v in ipairs { xs, series(xs) } do
      assert.same({ 0.125, 0.5, 1 }, { vp.stats.order(v, 1, 3, 5) })
      assert.same({ 0.75 }, { vp.stats.order(v, 4) })
      assert.same({}, { vp.stats.order(v) })
    end
    assert.same({ 0.5, 0.25, 0.75, 0.125, 1 }, xs) -- the array is left as it was
  end)

  it("checks the ranks", function()
    assert.matches("rank out of range", err(function() return vp.stats.order({ 1, 2 }, 3) end))
    assert.matches("rank out of range", err(function() return vp.stats.order({ 1, 2 }, 0) end))
    assert.matches("rank out of range", err(function() return vp.stats.order({}, 1) end))
  end)
end)

describe("stats.ols", function()
  it("fits intercept and slope through (1, y1) ... (n, yn)", function()
    -- y = 2x - 1 exactly
    local a, b = vp.stats.ols { 1, 3, 5, 7 }
    assert.near(-1, a, 1e-12)
    assert.near(2, b, 1e-12)
    -- {1, 2, 2}: xbar 2, ybar 5/3, sxy = 1, sxx = 2: slope 0.5,
    -- intercept 5/3 - 1 = 2/3
    a, b = vp.stats.ols { 1, 2, 2 }
    assert.near(2 / 3, a, 1e-12)
    assert.near(0.5, b, 1e-12)
  end)

  it("is nil below two values and checks its elements", function()
    assert.is_nil(vp.stats.ols {})
    assert.is_nil(vp.stats.ols { 1 })
    assert.matches("element 2 is a string", err(function() return vp.stats.ols { 1, "x" } end))
  end)

  it("computes as commons-math's SimpleRegression updating formulas do", function()
    -- the same operations in Lua, value by value: bit-identical results
    local function ref(y)
      local k, xbar, ybar, sxx, sxy, sumx, sumy = 0, 0, 0, 0, 0, 0, 0
      for i = 1, #y do
        if k == 0 then xbar, ybar = i, y[i]
        else
          local f1, f2 = 1.0 + k, k / (1.0 + k)
          local dx, dy = i - xbar, y[i] - ybar
          sxx, sxy = sxx + dx * dx * f2, sxy + dx * dy * f2
          xbar, ybar = xbar + dx / f1, ybar + dy / f1
        end
        sumx, sumy, k = sumx + i, sumy + y[i], k + 1
      end
      local slope = sxy / sxx
      return (sumy - slope * sumx) / k, slope
    end
    local y = { 0.61, 0.37, 0.93, 0.12, 0.58, 0.77, 0.41, 0.05, 0.99, 0.33 }
    local a1, b1 = vp.stats.ols(y)
    local a2, b2 = ref(y)
    assert.equal(a2, a1)
    assert.equal(b2, b1)
  end)
end)
