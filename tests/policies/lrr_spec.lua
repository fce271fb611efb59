-- lrr_spec.lua - policies/balance/lrr.lua: CloudSim's optimizeAllocation with
-- the LRR detector (vmpilot.consolidation, tested in consolidation_spec); the
-- cases are the regression detectors' (tests/policies/helpers.lua).
local T = require "tests.policies.helpers"
local P = require "policies.balance.lrr"

describe("balance/lrr", function()
  T.consolidation_basics(P, "lrr", 1.2, _ENV)
  T.regression_cases(P, "lrr", _ENV)
end)
