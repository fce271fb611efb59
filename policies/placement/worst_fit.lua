-- placement/worst_fit.lua - worst fit (spread): the candidate left with the
-- MOST free CPU after placing the VM (ties: most free memory, then the
-- earlier candidate).  Spreads load evenly: the opposite trade-off to best
-- fit (more hosts on, less contention per host).
local P = { name = "worst-fit" }

function P.place(vm, hosts, ctx)
  local best, best_cpu, best_mem
  for i = 1, #hosts do
    local h = hosts[i]
    local free = h.free
    local cpu, mem = free.cpu - vm.size.cpu, free.memory - vm.size.memory
    if not best or cpu > best_cpu or (cpu == best_cpu and mem > best_mem) then
      best, best_cpu, best_mem = h, cpu, mem
    end
  end
  if not best then
    return nil, "no candidate host"
  end
  return best, string.format("spread to %s: %g cpu left", best.name, best_cpu)
end

return P
