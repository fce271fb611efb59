-- placement/best_fit.lua - the default placement policy.
--
-- Best fit: among the candidate hosts (those the engine found able to hold
-- the VM), choose the one left with the least free CPU after placing it;
-- ties go to the least free memory, then to the earlier candidate.  Packing
-- tightly keeps other hosts empty (they can be switched off) and leaves
-- large holes for large VMs.  The engine places VMs one at a time in the
-- order they are requested; with a batch sorted by decreasing size this is
-- best-fit decreasing.
local P = { name = "best-fit" }

-- Free capacity left on host h if vm were placed there: cpu, memory.
local function left(h, vm)
  local free, need = h.free, vm.size
  return free.cpu - need.cpu, free.memory - need.memory
end

---@param vm Vm
---@param hosts Host[]
---@return Host|nil, string
function P.place(vm, hosts, ctx)
  local best, best_cpu, best_mem
  for i = 1, #hosts do
    local h = hosts[i]
    local cpu, mem = left(h, vm)
    if not best or cpu < best_cpu or (cpu == best_cpu and mem < best_mem) then
      best, best_cpu, best_mem = h, cpu, mem
    end
  end
  if not best then
    return nil, "no candidate host"
  end
  return best, string.format("best fit on %s: %g cpu, %g MiB left", best.name, best_cpu, best_mem)
end

return P
