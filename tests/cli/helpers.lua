-- helpers.lua - what the CLI specs share: running the vmpilot binary.
-- Use: local C = require "tests.cli.helpers" (ctest's LUA_INIT file puts
-- the repository root on package.path).  Needs VMPILOT in the environment.
local M = {}

M.VMPILOT = assert(os.getenv("VMPILOT"), "VMPILOT not set")

-- Runs `<prefix>vmpilot args` through the shell (prefix e.g. "cd d && " or
-- "VAR=x "); returns exit code, stdout, stderr.
function M.run(args, prefix)
  local err = os.tmpname()
  local p = io.popen(string.format("%s%s %s 2>%s", prefix or "", M.VMPILOT, args, err))
  local out = p:read("a")
  local _, _, code = p:close()
  local f = io.open(err)
  local e = f:read("a")
  f:close()
  os.remove(err)
  return code, out, e
end

return M
