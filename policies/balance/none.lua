-- balance/none.lua - never moves a VM (the no-migration baselines of the
-- consolidation experiment: NPA and DVFS).
local P = { name = "none" }

---@param pool Pool
function P.balance(pool, ctx)
  return {}
end

return P
