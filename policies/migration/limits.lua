-- migration/limits.lua - the default migration-timing policy.
--
-- A migration that relieves an overloaded source (cpu utilization over
-- P.urgent) starts now.  Otherwise:
--   - at most P.per_host migrations may touch a host (in or out) and at
--     most P.per_pool may run in the pool; over a limit, ask again in
--     P.retry seconds;
--   - when the pool is busy (cpu demand over P.busy of capacity), wait
--     P.quiet_wait seconds for a quieter period, up to P.max_waits times,
--     then go ahead anyway.
local P = {
  name = "limits",
  per_host = 2, per_pool = 10, retry = 30,
  urgent = 1.0, busy = 0.7, quiet_wait = 300, max_waits = 3,
}

-- Migrations touching h: VMs of h migrating away plus VMs coming in.
local function busy_links(h)
  local n = h.incoming_count
  for _, vm in ipairs(h:vms()) do
    if vm.state == "migrating" then n = n + 1 end
  end
  return n
end

-- Running migrations in the pool and the pool's cpu load (the pool sums
-- them over its hosts in C).
local function pool_state(pool)
  local cap = pool.capacity.cpu
  return pool.migrating, cap > 0 and pool.demand.cpu / cap or 0
end

---@param m Migration
---@param pool Pool
function P.migrate_when(m, pool, ctx)
  if m.from.utilization > P.urgent then
    return "now", string.format("source %s overloaded (cpu %.0f%%)", m.from.name,
      100 * m.from.utilization)
  end
  if busy_links(m.from) >= P.per_host or busy_links(m.to) >= P.per_host then
    return P.retry, string.format("%d migrations per host at most", P.per_host)
  end
  local running, load = pool_state(pool)
  if running >= P.per_pool then
    return P.retry, string.format("%d migrations in the pool at most", P.per_pool)
  end
  if load > P.busy and m.asked < P.max_waits then
    return P.quiet_wait, string.format("pool busy (cpu %.0f%%): waiting for a quieter period",
      100 * load)
  end
  return "now", "within limits"
end

return P
