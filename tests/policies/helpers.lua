-- helpers.lua - what the placement policy specs share.
-- Use: local H = require "tests.policies.helpers"
local vp = require "vmpilot"

local M = {}

-- The candidates a placement policy receives: a HostList of pool's hosts
-- with these names, in the order given (as the engine passes them).
function M.candidates(pool, ...)
  local list = {}
  for i, name in ipairs { ... } do list[i] = pool:host(name) end
  return vp.HostList(pool, list)
end

return M
