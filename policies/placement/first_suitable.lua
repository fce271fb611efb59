-- placement/first_suitable.lua - the first candidate (in id order) whose
-- cpu can take the VM by CloudSim's rule (isSuitableForVm: one core at
-- least the VM's request, the host's available cpu at least the request,
-- and for a VM being created its memory and network sizes free).
--
-- This is CloudSim 3.0.3's PowerVmAllocationPolicySimple, the placement of
-- the no-migration baselines NPA and DVFS of the consolidation experiment.
-- Unlike placement/first_fit.lua, which takes the first host with room for
-- the VM's size (the engine's own test), it counts what VMs request and
-- are allocated (see vmpilot.Plan), so a host's cpu can hold VMs whose
-- sizes add up to more than its capacity.
local vp = require "vmpilot"

local P = { name = "first-suitable" }

---@param vm Vm
---@param hosts HostList
function P.place(vm, hosts, ctx)
  if #hosts == 0 then return nil, "no candidate host" end
  local plan = vp.Plan(hosts)
  local h = plan:first_fit(vm)
  if h then
    return h, string.format("first suitable: %s (%.0f cpu available)", h.name, plan:available(h))
  end
  return nil, string.format("none of %d candidates can take %.0f cpu", #hosts, vm.size.cpu)
end

return P
