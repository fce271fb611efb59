-- placement/best_fit.lua - the default placement policy.
--
-- Best fit: among the candidate hosts (those the engine found able to hold
-- the VM), choose the one left with the least free CPU after placing it;
-- ties go to the least free memory, then to the earlier candidate.  Packing
-- tightly keeps other hosts empty (they can be switched off) and leaves
-- large holes for large VMs.  The engine places VMs one at a time in the
-- order they are requested; with a batch sorted by decreasing size this is
-- best-fit decreasing.  The search runs in C (hosts:tightest), so a
-- decision costs microseconds however many candidates there are.
local P = { name = "best-fit" }

---@param vm Vm
---@param hosts HostList
---@return Host|nil, string
function P.place(vm, hosts, ctx)
  local best, cpu_left = hosts:tightest(vm, "cpu")
  if not best then
    return nil, "no candidate host"
  end
  return best, string.format("best fit on %s: %g cpu, %g MiB left", best.name, cpu_left,
    best.free.memory - vm.size.memory)
end

return P
