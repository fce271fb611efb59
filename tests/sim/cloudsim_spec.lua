-- cloudsim_spec.lua - the simulator reproduces CloudSim 3.0.3's PlanetLab
-- consolidation experiment: THR-MMT-0.8 and LR-MMT-1.2 on 20110303 (the
-- shipped day) against the reference results in ../shared/reference/
-- cloudsim-results.md, within the tolerances of issue #4: energy 0.5 %,
-- migrations 1 %, SLATAH and PDM 2 % (relative).
-- Needs VMPILOT, VP_EXAMPLES and VP_SHARED in the environment.
local json = require "dkjson"

local VMPILOT = assert(os.getenv("VMPILOT"), "VMPILOT not set")
local EXAMPLES = assert(os.getenv("VP_EXAMPLES"), "VP_EXAMPLES not set")
local SHARED = assert(os.getenv("VP_SHARED"), "VP_SHARED not set")

local function read(path)
  local f = assert(io.open(path), "cannot read " .. path)
  local s = f:read("a")
  f:close()
  return s
end

-- Reference rows of cloudsim-results.md: day, policy -> {energy,
-- migrations}; full-precision SLATAH and PDM fractions for 20110303.
local function reference()
  local text = read(SHARED .. "/reference/cloudsim-results.md")
  local rows = {}
  for day, policy, energy, migrations in
      text:gmatch("\n| (%d+) | ([%w%.%-]+) | %d+ | ([%d%.]+) | (%d+) |") do
    rows[day .. "/" .. policy] = { energy = tonumber(energy), migrations = tonumber(migrations) }
  end
  local function full(metric, key)
    local seg = assert(text:match(metric .. " %(fraction%) ([^;]+)"), metric)
    local v = seg:match(key .. " ([%d%.e%-]*%d)")
    assert(v, metric .. " " .. key)
    return tonumber(v)
  end
  return rows, full
end

local function simulate(config)
  local p = io.popen(string.format("%s simulate %s --json 2>&1", VMPILOT, config))
  local out = p:read("a")
  local ok = p:close()
  assert(ok, "vmpilot simulate failed:\n" .. out)
  return assert(json.decode(out), out).cloudsim
end

local function within(ref, got, rel, what)
  local err = math.abs(got - ref) / math.abs(ref)
  assert(err <= rel, string.format("%s: vmpilot %.10g vs CloudSim %.10g (%.3f %% off, allowed %.1f %%)",
    what, got, ref, 100 * err, 100 * rel))
end

describe("the CloudSim consolidation experiment on 20110303", function()
  local rows, full = reference()

  for _, case in ipairs({ { "thr-mmt-0.8", "THR" }, { "lr-mmt-1.2", "LR" } }) do
    local set, key = case[1], case[2]
    it(set .. " matches CloudSim", function()
      local ref = assert(rows["20110303/" .. set], "no reference row for " .. set)
      local got = simulate(EXAMPLES .. "/cloudsim/" .. set .. ".json")
      within(ref.energy, got.energy_kwh, 0.005, "energy kWh")
      within(ref.migrations, got.migrations, 0.01, "migrations")
      within(full("SLATAH", key), got.slatah, 0.02, "SLATAH")
      within(full("PDM", key), got.pdm, 0.02, "PDM")
    end)
  end
end)
