-- history_spec.lua - History (a VM's or host's cpu utilization samples)
-- and vmpilot.stats, against values computed by hand.
local H = require "tests.bindings.helpers"
local vp, err = H.vp, H.err

-- Samples exact in single precision (histories store floats).
-- In time order (oldest first): 0.25, 0.5, 0.125, 1.0, 0.75.
local NEWEST_FIRST = { 0.75, 1.0, 0.125, 0.5, 0.25 }
local OLDEST_FIRST = { 0.25, 0.5, 0.125, 1.0, 0.75 }
-- By hand: sorted 0.125 0.25 0.5 0.75 1.0; mean 2.625 / 5 = 0.525;
-- median 0.5; |x - 0.5| = 0.25 0 0.375 0.5 0.25 -> MAD 0.25;
-- type 7: q=.25 -> h=1 -> 0.25; q=.75 -> h=3 -> 0.75; IQR 0.5;
-- q=.1 -> h=.4 -> 0.125 + .4 * 0.125 = 0.175; q=.9 -> h=3.6 -> 0.9;
-- squared deviations from 0.525 sum to 0.5125 -> stdev sqrt(0.5125 / 4);
-- trend over x = 1..5: sxx = 10, sxy = 1.5 -> slope 0.15,
-- intercept 0.525 - 0.15 * 3 = 0.075; next (x = 6): 0.975.
local EPS = 1e-12

local function pool_with_history(values, length)
  return vp.pool {
    history_length = length,
    hosts = { { name = "h", cpu = 8, memory = 1024, history = values } },
    vms = { { name = "v", cpu = 4, memory = 256, host = "h", history = values } },
  }
end

describe("History", function()
  local pool, h
  before_each(function()
    pool = pool_with_history(NEWEST_FIRST)
    h = pool:vm("v").history
  end)

  it("has a length and samples, 1 = newest", function()
    assert.equal(5, #h)
    assert.equal(0.75, h[1])
    assert.equal(0.25, h[5])
    assert.equal(0.25, h[5.0])
    assert.is_nil(h[0])
    assert.is_nil(h[6])
    assert.is_nil(h[1.5])
    assert.equal("History(5 samples)", tostring(h))
  end)

  it("values() is newest first; last(n) the newest n", function()
    assert.same(NEWEST_FIRST, h:values())
    assert.same({ 0.75, 1.0 }, h:last(2))
    assert.same(NEWEST_FIRST, h:last(50))
    assert.same({}, h:last(0))
    assert.truthy(err(function() return h:last(-1) end):find("count must be >= 0", 1, true))
  end)

  it("series([n]) gives the same samples as a Series", function()
    assert.same(NEWEST_FIRST, h:series():values())
    assert.same({ 0.75, 1.0 }, h:series(2):values())
    assert.same(NEWEST_FIRST, h:series(50):values())
    assert.equal(0, #h:series(0))
    assert.equal(vp.stats.mad(h:values()), vp.stats.mad(h:series()))
    assert.truthy(err(function() return h:series(-1) end):find("count must be >= 0", 1, true))
  end)

  it("mean, median, min, max", function()
    assert.near(0.525, h:mean(), EPS)
    assert.equal(0.5, h:median())
    assert.equal(0.125, h:min())
    assert.equal(1.0, h:max())
  end)

  it("mad is the median of |x - median|", function()
    assert.equal(0.25, h:mad())
  end)

  it("quantile is R type 7 (linear between order statistics)", function()
    assert.equal(0.125, h:quantile(0))
    assert.near(0.175, h:quantile(0.1), EPS)
    assert.equal(0.25, h:quantile(0.25))
    assert.equal(0.5, h:quantile(0.5))
    assert.equal(0.75, h:quantile(0.75))
    assert.near(0.9, h:quantile(0.9), EPS)
    assert.equal(1.0, h:quantile(1))
    assert.equal(0.5, h:iqr())
  end)

  it("rejects q outside [0, 1]", function()
    assert.truthy(err(function() return h:quantile(1.5) end):find("q must be in [0, 1]", 1, true))
    assert.truthy(err(function() return h:quantile(-0.1) end):find("q must be in [0, 1]", 1, true))
  end)

  it("stdev is the sample standard deviation (n - 1)", function()
    assert.near(math.sqrt(0.5125 / 4), h:stdev(), EPS)
  end)

  it("trend fits x = 1..n from oldest to newest", function()
    local slope, intercept = h:trend()
    assert.near(0.15, slope, EPS)
    assert.near(0.075, intercept, EPS)
    assert.near(0.975, h:predict(), EPS)
    assert.near(0.975, h:predict(1), EPS)
    assert.near(1.125, h:predict(2), EPS)
    assert.near(0.825, h:predict(0), EPS) -- the fitted newest sample
  end)

  it("is the same for a host", function()
    local hh = pool:host("h").history
    assert.same(NEWEST_FIRST, hh:values())
    assert.equal(0.25, hh:mad())
  end)

  it("keeps at most history_length samples, the newest", function()
    local p = pool_with_history(NEWEST_FIRST, 3)
    assert.same({ 0.75, 1.0, 0.125 }, p:vm("v").history:values())
    assert.equal(3, p.history_length)
  end)

  it("grows with record(): cpu demand / size (VM) and / capacity (host)", function()
    local p = vp.pool { hosts = { { name = "h", cpu = 8, memory = 1024 } },
      vms = { { name = "v", cpu = 4, memory = 256, host = "h", demand = 1 } } }
    local vh, hh = p:vm("v").history, p:host("h").history
    assert.equal(0, #vh)
    p:record()
    p:set_demand("v", 2)
    p:record()
    assert.same({ 0.5, 0.25 }, vh:values())
    assert.same({ 0.25, 0.125 }, hh:values())
  end)

  describe("of one sample", function()
    it("has no stdev; its trend is flat through the sample", function()
      local h1 = pool_with_history({ 0.5 }):vm("v").history
      assert.equal(0.5, h1:mean())
      assert.equal(0, h1:mad())
      assert.is_nil(h1:stdev())
      local slope, intercept = h1:trend()
      assert.equal(0, slope)
      assert.equal(0.5, intercept)
      assert.equal(0.5, h1:predict(3))
    end)
  end)

  describe("when empty", function()
    it("has no samples and every statistic is nil", function()
      local e = vp.pool { vms = { { name = "v", cpu = 1 } } }:vm("v").history
      assert.equal(0, #e)
      assert.is_nil(e[1])
      assert.same({}, e:values())
      for _, m in ipairs { "mean", "median", "mad", "iqr", "stdev", "min", "max", "trend",
        "predict" } do
        assert.is_nil(e[m](e), m)
      end
      assert.is_nil(e:quantile(0.5))
    end)
  end)

  it("is read-only and has no other fields", function()
    assert.equal("History is read-only", err(function() h[1] = 2 end))
    assert.equal("History has no field 'avg'", err(function() return h.avg end))
  end)

  it("is the same object for the same VM", function()
    assert.is_true(rawequal(h, pool:vm("v").history))
    assert.is_false(rawequal(h, pool:host("h").history))
  end)
end)

describe("vmpilot.stats", function()
  local S = vp.stats

  it("computes over a Lua array", function()
    assert.near(0.525, S.mean(OLDEST_FIRST), EPS)
    assert.equal(0.5, S.median(OLDEST_FIRST))
    assert.equal(0.25, S.mad(OLDEST_FIRST))
    assert.near(0.175, S.quantile(OLDEST_FIRST, 0.1), EPS)
    assert.equal(0.5, S.iqr(OLDEST_FIRST))
    assert.near(math.sqrt(0.5125 / 4), S.stdev(OLDEST_FIRST), EPS)
    assert.equal(0.125, S.min(OLDEST_FIRST))
    assert.equal(1, S.max(OLDEST_FIRST))
  end)

  it("median of an even count averages the middle two", function()
    assert.equal(2.5, S.median { 4, 1, 3, 2 })
    assert.equal(1, S.mad { 4, 1, 3, 2 }) -- |x - 2.5| = 1.5 1.5 .5 .5
  end)

  it("trend takes the array OLDEST FIRST (History values() is newest first)", function()
    local slope, intercept = S.trend(OLDEST_FIRST)
    assert.near(0.15, slope, EPS)
    assert.near(0.075, intercept, EPS)
    local s2 = S.trend(NEWEST_FIRST)
    assert.near(-0.15, s2, EPS)
    slope, intercept = S.trend { 1, 3, 5 }
    assert.equal(2, slope)
    assert.equal(-1, intercept)
  end)

  it("does not change its argument", function()
    local t = { 3, 1, 2 }
    S.median(t)
    S.mad(t)
    assert.same({ 3, 1, 2 }, t)
  end)

  it("returns nil for an empty array; stdev for fewer than two", function()
    for _, f in pairs { "mean", "median", "mad", "iqr", "stdev", "trend" } do
      assert.is_nil(S[f] {}, f)
    end
    assert.is_nil(S.quantile({}, 0.5))
    assert.is_nil(S.stdev { 1 })
  end)

  it("checks its arguments", function()
    assert.truthy(err(S.mean, { 1, "2" }):find("element 2 is a string, number expected", 1, true))
    assert.truthy(err(S.mean, 5):find("table expected, got number", 1, true))
    assert.truthy(err(S.quantile, { 1 }, 2):find("q must be in [0, 1]", 1, true))
  end)

  it("stats.sorted sorts a copy; stats.r_squared fits y on columns", function()
    local xs = { 3, 1, 2 }
    assert.same({ 1, 2, 3 }, vp.stats.sorted(xs))
    assert.same({ 3, 1, 2 }, xs)
    -- y = 2 + 3 x exactly: R^2 = 1; with noise 1 2 3 5 on x 1..4: 169/175
    assert.near(1, vp.stats.r_squared({ 5, 8, 11, 14 }, { { 1, 2, 3, 4 } }), 1e-12)
    assert.near(169 / 175, vp.stats.r_squared({ 1, 2, 3, 5 }, { { 1, 2, 3, 4 } }), 1e-12)
    assert.is_nil(vp.stats.r_squared({ 1, 2 }, { { 1, 2 }, { 2, 1 } })) -- too few rows
    assert.is_nil(vp.stats.r_squared({ 1, 2, 3 }, { { 1, 1, 1 } }))     -- singular
    assert.matches("at least as long as y", H.err(vp.stats.r_squared, { 1, 2, 3 }, { { 1 } }))
  end)

  it("stats.r_squared_each fits each column on the others", function()
    local a, b, c = { 1, 2, 3, 5, 4, 7 }, { 2, 1, 4, 3, 6, 5 }, { 5, 3, 1, 2, 2, 9, 99 }
    local r = vp.stats.r_squared_each { a, b, c } -- m = 6: the shortest
    local c6 = { 5, 3, 1, 2, 2, 9 }
    assert.equal(3, #r)
    -- one inversion for all fits: r_squared's numbers up to rounding
    assert.near(vp.stats.r_squared(a, { b, c6 }), r[1], 1e-12)
    assert.near(vp.stats.r_squared(b, { a, c6 }), r[2], 1e-12)
    assert.near(vp.stats.r_squared(c6, { a, b }), r[3], 1e-12)
    local r4 = vp.stats.r_squared_each({ a, b, c }, 4) -- only the first 4 rows
    assert.near(vp.stats.r_squared({ 1, 2, 3, 5 }, { { 2, 1, 4, 3 }, { 5, 3, 1, 2 } }), r4[1], 1e-12)
    assert.is_nil(vp.stats.r_squared_each({ a, b, c }, 2))          -- 2 rows < 3 parameters
    assert.is_nil(vp.stats.r_squared_each { { 1, 1, 1 }, { 1, 2, 3 } }) -- singular for column 2
    assert.matches("2 to 65 columns", H.err(vp.stats.r_squared_each, { a }))
  end)

  it("stats.r_squared_each gives r_squared's numbers on random data", function()
    -- all fits from one inverse of the columns' Gram matrix: the same R^2
    -- as fitting each column on the others, up to rounding
    math.randomseed(7)
    for _, n in ipairs { 2, 5, 9 } do
      local cols = {}
      for j = 1, n do
        cols[j] = {}
        for t = 1, 30 do cols[j][t] = math.random() * (j % 3 + 1) end
      end
      local r = vp.stats.r_squared_each(cols)
      for i = 1, n do
        local others = {}
        for j = 1, n do if j ~= i then others[#others + 1] = cols[j] end end
        assert.near(vp.stats.r_squared(cols[i], others), r[i], 1e-9)
      end
    end
  end)

  it("stats.r_squared_each fits one by one where the columns are dependent", function()
    -- c = a + b: the three columns together are singular, yet each fit on
    -- the other two runs (R^2 = 1), as r_squared says
    local a, b = { 1, 2, 4, 3, 7, 5 }, { 2, 1, 1, 5, 2, 4 }
    local c = {}
    for t = 1, 6 do c[t] = a[t] + b[t] end
    local r = vp.stats.r_squared_each { a, b, c }
    assert.equal(vp.stats.r_squared(a, { b, c }), r[1]) -- the fit-by-fit path: bit for bit
    assert.equal(vp.stats.r_squared(c, { a, b }), r[3])
    assert.near(1, r[3], 1e-9)
    -- a fourth column that is not involved: its fit on a, b, c is singular
    assert.is_nil(vp.stats.r_squared_each { a, b, c, { 3, 1, 4, 1, 5, 9 } })
  end)
end)
