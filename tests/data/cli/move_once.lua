-- A balance policy for the stop tests: moves the first running VM to
-- another up host with room for it, once.
local P = { name = "move-once" }
local moved = false

local function room(h, vm)
  return h.free.cpu >= vm.size.cpu and h.free.memory >= vm.size.memory
end

function P.balance(pool, ctx)
  if moved then return nil end
  for _, vm in ipairs(pool:vms()) do
    if vm.state == "running" then
      for _, h in ipairs(pool:hosts()) do
        if h.name ~= vm.host.name and h.state == "up" and room(h, vm) then
          moved = true
          return { { vm = vm, to = h, why = "test: move once" } }
        end
      end
    end
  end
  return nil
end

return P
