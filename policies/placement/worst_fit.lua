-- placement/worst_fit.lua - worst fit (spread): the candidate left with the
-- MOST free CPU after placing the VM (ties: most free memory, then the
-- earlier candidate).  Spreads load evenly: the opposite trade-off to best
-- fit (more hosts on, less contention per host).  The search runs in C
-- (hosts:loosest).
local P = { name = "worst-fit" }

---@param vm Vm
---@param hosts HostList
function P.place(vm, hosts, ctx)
  local best, cpu_left = hosts:loosest(vm, "cpu")
  if not best then
    return nil, "no candidate host"
  end
  return best, string.format("spread to %s: %g cpu left", best.name, cpu_left)
end

return P
