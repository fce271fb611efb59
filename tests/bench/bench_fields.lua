-- bench_fields.lua - the cost of reading proxy fields from Lua, the way a
-- policy's hot loop does (h.free, h.capacity.cpu, vm.size, h.vm_count ...).
--
-- Builds a plain pool of 800 hosts and 2000 VMs (every VM placed), then
-- times N reads of each kind with os.clock over the hosts (or VMs) in
-- turn and prints ns per read.  "loop" is the same loop reading a field
-- of a plain Lua table: the cost of the loop itself, not subtracted.
-- Prints figures only; asserts nothing about time.
--
-- Run (from the repository root, after building):
--   LUA_CPATH="build/bindings/?.so" lua5.4 tests/bench/bench_fields.lua [N] [rounds]
-- N reads per kind (default 1e6); each kind is timed `rounds` times
-- (default 5) and the best round is printed.
local vp = require "vmpilot"

local N = math.tointeger(tonumber(arg and arg[1]) or 1e6)
local ROUNDS = math.tointeger(tonumber(arg and arg[2]) or 5)
local NH, NV = 800, 2000

local function build()
  local hosts, vms = {}, {}
  for i = 1, NH do
    hosts[i] = { name = "h" .. i, cpu = 64, memory = 262144, disk = 2000, network = 10000,
      overcommit = { cpu = 2 } }
  end
  for i = 1, NV do
    vms[i] = { name = "v" .. i, cpu = 2, memory = 4096, host = "h" .. ((i - 1) % NH + 1),
      demand = 1 }
  end
  return vp.pool { hosts = hosts, vms = vms }
end

local pool = build()
local H, V = pool:hosts(), pool:vms()
local plain = {}
for i = 1, NH do plain[i] = { vm_count = i } end

-- Each reader does N reads cycling over its array; returns a checksum
-- so the reads are not dead code.
local readers = {
  { "loop (plain table .vm_count)", plain, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      s = s + a[k].vm_count; k = k < m and k + 1 or 1
    end
    return s
  end },
  { "h.vm_count", H, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      s = s + a[k].vm_count; k = k < m and k + 1 or 1
    end
    return s
  end },
  { "h.utilization", H, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      s = s + a[k].utilization; k = k < m and k + 1 or 1
    end
    return s
  end },
  { "h.name", H, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      s = s + #a[k].name; k = k < m and k + 1 or 1
    end
    return s
  end },
  { "h.free", H, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      local f = a[k].free; s = s + (f and 1 or 0); k = k < m and k + 1 or 1
    end
    return s
  end },
  { "h.capacity.cpu", H, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      s = s + a[k].capacity.cpu; k = k < m and k + 1 or 1
    end
    return s
  end },
  { "vm.size", V, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      local r = a[k].size; s = s + (r and 1 or 0); k = k < m and k + 1 or 1
    end
    return s
  end },
  { "vm.state", V, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      s = s + #a[k].state; k = k < m and k + 1 or 1
    end
    return s
  end },
  { "vm.host (a proxy)", V, function(a, n)
    local s, k, m = 0, 1, #a
    for _ = 1, n do
      s = s + (a[k].host and 1 or 0); k = k < m and k + 1 or 1
    end
    return s
  end },
  { "h:fits(vm) (a method call)", H, function(a, n)
    local s, k, m, v = 0, 1, #a, V[1]
    for _ = 1, n do
      s = s + (a[k]:fits(v) and 1 or 0); k = k < m and k + 1 or 1
    end
    return s
  end },
}

local function best_of(f, a)
  local best = math.huge
  for _ = 1, ROUNDS do
    collectgarbage()
    local t0 = os.clock()
    f(a, N)
    local dt = os.clock() - t0
    if dt < best then best = dt end
  end
  return best
end

print(string.format("pool: %d hosts, %d VMs; %d reads per kind, best of %d rounds",
  pool.host_count, pool.vm_count, N, ROUNDS))
for _, r in ipairs(readers) do
  local name, a, f = r[1], r[2], r[3]
  print(string.format("%-30s %8.1f ns/read", name, best_of(f, a) / N * 1e9))
end
