-- placement/weighted.lua - weighted score: each candidate gets
--   score = W.cpu * (cpu left / cpu limit) + W.memory * (memory left / memory limit)
--         + W.load * (current cpu utilization)
-- after placing the VM, and the lowest score wins (ties: the earlier
-- candidate).  With the default weights it packs by both CPU and memory,
-- and avoids hosts that are already busy.  Change W to taste.
local P = { name = "weighted" }

P.W = { cpu = 1.0, memory = 1.0, load = 0.5 }

local function frac(x, of)
  if of <= 0 then return 0 end
  return x / of
end

-- The score of placing vm on h (lower is better).
function P.score(h, vm)
  local free, limit, need = h.free, h.limit, vm.size
  return P.W.cpu * frac(free.cpu - need.cpu, limit.cpu)
       + P.W.memory * frac(free.memory - need.memory, limit.memory)
       + P.W.load * h.utilization
end

function P.place(vm, hosts, ctx)
  local best, best_score
  for i = 1, #hosts do
    local s = P.score(hosts[i], vm)
    if not best or s < best_score then
      best, best_score = hosts[i], s
    end
  end
  if not best then
    return nil, "no candidate host"
  end
  return best, string.format("lowest weighted score %.3f on %s", best_score, best.name)
end

return P
