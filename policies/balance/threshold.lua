-- balance/threshold.lua - the default balance policy: static thresholds.
--
-- Overload: a host whose CPU demand (resident VMs plus VMs migrating in)
-- exceeds P.upper of its CPU capacity sheds VMs, cheapest to migrate first
-- (minimum migration time = least memory), until it is at or under the
-- threshold.  Underload: hosts under P.lower are emptied, least loaded
-- first, when every one of their VMs fits on another active host without
-- pushing it over P.upper; their VMs move and the host can be switched off.
-- A VM goes to the most loaded host that stays at or under P.upper after
-- taking it (best fit).  Hosts that shed or receive VMs in a round are not
-- used again in that round as sources of consolidation.
local P = { name = "threshold", upper = 0.8, lower = 0.2 }

-- VMs of h that can move (running), least memory first, then by id.
function P.movable(h)
  local vms = {}
  for _, vm in ipairs(h:vms()) do
    if vm.state == "running" then
      vms[#vms + 1] = vm
    end
  end
  table.sort(vms, function(a, b)
    if a.size.memory ~= b.size.memory then
      return a.size.memory < b.size.memory
    end
    return a.id < b.id
  end)
  return vms
end

-- A tentative view of the pool the plan can change.
local function new_plan(pool)
  local plan = { hosts = {}, load = {}, free = {}, cap = {}, locked = {}, active = {},
                 moves = {}, receiving = {} }
  for _, h in ipairs(pool:hosts()) do
    plan.hosts[#plan.hosts + 1] = h
    local d = h.demand.cpu
    if h.incoming_count > 0 then
      for _, vm in ipairs(h:incoming()) do
        d = d + vm.demand.cpu
      end
    end
    plan.load[h], plan.free[h], plan.cap[h] = d, h.free, h.capacity.cpu
    plan.locked[h] = h.state ~= "up"
    plan.active[h] = h.vm_count > 0 or d > 0
  end
  -- Targets are tried most loaded first (best fit); the order is fixed for
  -- the round.  Hosts that cannot take even the smallest VM are left out
  -- (on a memory-bound pool most are, and this list is scanned per VM).
  local smallest = math.huge
  for _, vm in ipairs(pool:vms()) do
    smallest = math.min(smallest, vm.size.memory)
  end
  plan.by_load = {}
  for _, h in ipairs(plan.hosts) do
    if not plan.locked[h] and plan.free[h].memory >= smallest and plan.free[h].cpu > 0 then
      plan.by_load[#plan.by_load + 1] = h
    end
  end
  table.sort(plan.by_load, function(a, b)
    if plan.load[a] ~= plan.load[b] then return plan.load[a] > plan.load[b] end
    return a.id < b.id
  end)
  return plan
end

local function util(plan, h)
  local cap = plan.cap[h]
  return cap > 0 and plan.load[h] / cap or 0
end

-- The first host of `list` (most loaded first) that can take vm and stay
-- at or under the upper threshold.  Cheap number tests come first: this
-- loop is the policy's hot spot.
local function target(plan, list, vm, from)
  local size, d, upper = vm.size, vm.demand.cpu, P.upper
  local locked, load, cap, free = plan.locked, plan.load, plan.cap, plan.free
  for _, h in ipairs(list) do
    local c = cap[h]
    if not locked[h] and c > 0 and (load[h] + d) / c <= upper and h ~= from
        and size:fits(free[h]) then
      return h
    end
  end
end

-- The hosts of by_load that hold VMs (targets for consolidation).
local function active_targets(plan)
  local list = {}
  for _, h in ipairs(plan.by_load) do
    if plan.active[h] then list[#list + 1] = h end
  end
  return list
end

local function move(plan, vm, from, to, why)
  plan.load[from] = plan.load[from] - vm.demand.cpu
  plan.load[to] = plan.load[to] + vm.demand.cpu
  plan.free[from] = plan.free[from] + vm.size
  plan.free[to] = plan.free[to] - vm.size
  plan.moves[#plan.moves + 1] = { vm = vm, to = to, why = why }
  plan.active[to] = true
end

local function shed(plan, h)
  local why = string.format("%s overloaded: cpu %.0f%% > %.0f%%", h.name,
    100 * util(plan, h), 100 * P.upper)
  for _, vm in ipairs(P.movable(h)) do
    if util(plan, h) <= P.upper then break end
    local to = target(plan, plan.by_load, vm, h)
    if to then
      move(plan, vm, h, to, why)
      plan.receiving[to] = true
    end
  end
  plan.locked[h] = true
end

-- Empties h if all its VMs fit elsewhere; otherwise leaves the plan as is.
local function drain(plan, targets, h)
  local first = #plan.moves
  local why = string.format("%s underloaded: cpu %.0f%% < %.0f%%", h.name,
    100 * util(plan, h), 100 * P.lower)
  plan.locked[h] = true
  for _, vm in ipairs(P.movable(h)) do
    local to = target(plan, targets, vm, h)
    if not to then
      for k = #plan.moves, first + 1, -1 do -- undo this host's moves
        local m = plan.moves[k]
        plan.load[m.to] = plan.load[m.to] - m.vm.demand.cpu
        plan.free[m.to] = plan.free[m.to] + m.vm.size
        plan.moves[k] = nil
      end
      return
    end
    move(plan, vm, h, to, why)
  end
  for k = first + 1, #plan.moves do -- only a drain that went through marks its targets
    plan.receiving[plan.moves[k].to] = true
  end
end

---@param pool Pool
function P.balance(pool, ctx)
  local plan = new_plan(pool)
  for _, h in ipairs(plan.hosts) do
    if not plan.locked[h] and util(plan, h) > P.upper then
      shed(plan, h)
    end
  end
  local under = {}
  for _, h in ipairs(plan.hosts) do
    if not plan.locked[h] and h.vm_count > 0 and util(plan, h) < P.lower then
      under[#under + 1] = h
    end
  end
  table.sort(under, function(a, b)
    if util(plan, a) ~= util(plan, b) then return util(plan, a) < util(plan, b) end
    return a.id < b.id
  end)
  local targets = active_targets(plan)
  for _, h in ipairs(under) do
    if not plan.locked[h] and not plan.receiving[h] then
      drain(plan, targets, h)
    end
  end
  return plan.moves
end

function P.self_test()
  assert(P.lower < P.upper, "lower threshold must be under the upper one")
end

return P
