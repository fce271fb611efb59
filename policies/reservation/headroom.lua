-- reservation/headroom.lua - the default reservation policy.
--
-- Per host: hold back P.headroom of each host's usable capacity (limit =
-- capacity x overcommit), so placement leaves room for the VMs already
-- there to grow.  For the pool: hold back enough free capacity to re-place
-- the VMs of the busiest host (the largest `used` on any up host, per
-- resource), so that losing any one host leaves room for its VMs.
local P = { name = "headroom", headroom = 0.10 }

local vp = require "vmpilot"

---@param pool Pool
function P.reserve(pool, ctx)
  local r = vp.Reservation()
  local largest = vp.Resources{}
  for _, h in ipairs(pool:hosts()) do
    if h.state == "up" then
      r:hold(h, h.limit * P.headroom)
      largest = largest:max(h.used)
    end
  end
  r:hold_pool(largest)
  return r, string.format("%.0f%% headroom per host; pool keeps %s free for a host loss",
    100 * P.headroom, tostring(largest))
end

function P.self_test()
  assert(P.headroom >= 0 and P.headroom < 1, "headroom must be in [0, 1)")
end

return P
