-- reservation/none.lua - holds nothing back: every host's whole capacity
-- is available to placement.
local P = { name = "none" }

---@param pool Pool
function P.reserve(pool, ctx)
  return nil, "no reservation"
end

return P
