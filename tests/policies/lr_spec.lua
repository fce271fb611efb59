-- lr_spec.lua - policies/balance/lr.lua: CloudSim's optimizeAllocation with
-- the LR detector (vmpilot.consolidation, tested in consolidation_spec); the
-- cases are the regression detectors' (tests/policies/helpers.lua).
local T = require "tests.policies.helpers"
local P = require "policies.balance.lr"

describe("balance/lr", function()
  T.consolidation_basics(P, "lr", 1.2, _ENV)
  T.regression_cases(P, "lr", _ENV)
end)
