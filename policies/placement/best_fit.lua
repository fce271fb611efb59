-- placement/best_fit.lua - the default placement policy.
--
-- Best fit: among the candidate hosts (those the engine found able to hold
-- the VM), choose the one left with the least free CPU after placing it;
-- ties go to the least free memory, then to the earlier candidate.  Packing
-- tightly keeps other hosts empty (they can be switched off) and leaves
-- large holes for large VMs.  A batch of VMs requested together (a
-- simulation's start, say) is placed largest first (P.order): best-fit
-- decreasing.  The search runs in C (hosts:tightest), so a decision costs
-- microseconds however many candidates there are.
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

-- Best-fit decreasing: a batch is placed by decreasing cpu size, then
-- memory size, then id.
---@param vms Vm[]
---@return Vm[]
function P.order(vms, ctx)
  local cpu, mem = {}, {}
  for _, vm in ipairs(vms) do
    local size = vm.size
    cpu[vm], mem[vm] = size.cpu, size.memory
  end
  table.sort(vms, function(a, b)
    if cpu[a] ~= cpu[b] then return cpu[a] > cpu[b] end
    if mem[a] ~= mem[b] then return mem[a] > mem[b] end
    return a.id < b.id
  end)
  return vms
end

return P
