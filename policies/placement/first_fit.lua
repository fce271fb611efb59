-- placement/first_fit.lua - first fit: the first candidate host (candidates
-- come in host order), i.e. the lowest host id that can hold the VM.  The
-- cheapest policy; packs the low end of the pool.
local P = { name = "first-fit" }

function P.place(vm, hosts, ctx)
  local h = hosts[1]
  if not h then
    return nil, "no candidate host"
  end
  return h, "first fit: " .. h.name
end

return P
