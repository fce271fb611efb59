-- examples/policies/memory_fit.lua - an example placement policy (the one
-- docs/policies.md walks through): best fit on memory, avoiding hot hosts.
--
-- Among the candidates (the hosts the engine found able to hold the VM),
-- skip those whose 90th-percentile cpu utilization over their history is
-- above P.hot, then choose the one left with the least free memory after
-- placing the VM (ties: the least free cpu, then the earlier candidate).
-- A host with no samples yet counts as idle.  If every candidate is hot,
-- place nothing: the VM stays pending and the engine asks again after the
-- next sample round.
local P = { name = "memory-fit", hot = 0.9 }

-- The 90th percentile of h's cpu utilization samples; 0 while it has none.
local function p90(h)
  return h.history:quantile(0.9) or 0
end

---@param vm Vm
---@param hosts HostList
---@param ctx vmpilot.Ctx
---@return Host|nil, string
function P.place(vm, hosts, ctx)
  local best, best_mem, best_cpu
  for _, h in ipairs(hosts) do
    if p90(h) <= P.hot then
      local left = h.free - vm.size
      if best == nil or left.memory < best_mem
          or (left.memory == best_mem and left.cpu < best_cpu) then
        best, best_mem, best_cpu = h, left.memory, left.cpu
      end
    end
  end
  if best == nil then
    return nil, string.format("all %d candidates are hot (p90 cpu > %.0f%%)", #hosts,
      100 * P.hot)
  end
  return best, string.format("best memory fit on %s: %g MiB left", best.name, best_mem)
end

function P.self_test()
  assert(P.hot > 0 and P.hot <= 1, "hot must be in (0, 1]")
end

return P
