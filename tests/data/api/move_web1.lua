-- A balance policy for the API's dry-run spec: moves every VM of host
-- "small" to host "seed" (twice the same VM when asked to, which the
-- engine must refuse).
local P = { name = "move-web1", twice = false }

function P.balance(pool, ctx)
  local seed, moves = nil, {}
  for _, h in ipairs(pool:hosts()) do
    if h.name == "seed" then seed = h end
  end
  for _, h in ipairs(pool:hosts()) do
    if h.name == "small" then
      for _, vm in ipairs(h:vms()) do
        moves[#moves + 1] = { vm = vm, to = seed, why = "test move" }
        if P.twice then moves[#moves + 1] = { vm = vm, to = seed, why = "again" } end
      end
    end
  end
  return moves
end

return P
