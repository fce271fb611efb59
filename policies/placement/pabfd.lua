-- placement/pabfd.lua - power-aware best fit (PABFD), CloudSim 3.0.3's
-- findHostForVm as used for the initial placement of the THR, IQR, MAD, LR
-- and LRR experiments (reference 2.4).
--
-- Among the candidates (the hosts the engine found with room, in id
-- order), a host that already carries load is refused if it would be
-- over-utilized after taking the VM (P.detector with P.safety, as the
-- balance policy of the same family); of the rest, the one whose power
-- rises least, P(u_after) - P(u_now), wins; ties go to the earlier (lower
-- id) candidate.  No order() function: a batch is placed in the order given
-- (VM id), as CloudSim places the VMs at t = 0 unsorted; place_batch
-- places it in one call.
--
-- The load it counts is CloudSim's: a VM being created requests its full
-- cpu size, VMs placed but not yet sampled request nothing but hold their
-- full size (see the tentative state in vmpilot/consolidation.lua).
--
-- Parameters: detector ("thr", "iqr", "mad", "lr", "lrr"), safety (nil =
-- the detector's default: THR 0.8, IQR 1.5, MAD 2.5, LR/LRR 1.2).
local C = require "vmpilot.consolidation"

local P = { name = "pabfd", detector = "thr", safety = nil }

---@param vm Vm
---@param hosts HostList
function P.place(vm, hosts, ctx)
  if #hosts == 0 then return nil, "no candidate host" end
  local h, diff = C.pabfd(vm, hosts, { detector = P.detector, safety = P.safety,
    interval = 300 })
  if h == nil then
    return nil, string.format("all %d candidates would be over-utilized (%s)", #hosts,
      P.detector)
  end
  return h, string.format("pabfd on %s: power %+.4g W", h.name, diff)
end

-- A batch (the VMs submitted together, e.g. a simulation's start) in one
-- Plan: each VM, in the order given, by the same search over the hosts
-- that are up, then accounted on its host as the engine will have it
-- until its first sample (Plan:create), so the next VM sees it there.
-- The same choices as calling place for each VM in turn, without a Plan
-- per VM.
---@param vms Vm[]
---@param hosts HostList
function P.place_batch(vms, hosts, ctx)
  local st = C.state(hosts, { detector = P.detector, safety = P.safety, interval = 300 })
  local out, why = {}, {}
  for i, vm in ipairs(vms) do
    local h, diff = st:pabfd(vm, nil)
    if h then
      st.plan:create(h, vm)
      out[i], why[i] = h, string.format("pabfd on %s: power %+.4g W", h.name, diff)
    else
      out[i] = false
    end
  end
  return out, why
end

function P.self_test()
  C.check_cfg(P)
end

return P
