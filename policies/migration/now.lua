-- migration/now.lua - every proposed migration starts at once.
--
-- For experiments that model no migration limits (the CloudSim
-- consolidation experiment starts every migration its balance step plans
-- in the same instant); the engine's own limits (limits.migrations_*)
-- still apply.
local P = { name = "now" }

---@param m Migration
function P.migrate_when(m, pool, ctx)
  return "now", "no timing constraints"
end

return P
