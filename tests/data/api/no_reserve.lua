-- A reservation policy that holds nothing back, so the API specs see the
-- hosts' whole capacity as free.
local vp = require "vmpilot"
return {
  name = "none",
  reserve = function(pool, ctx) return vp.Reservation(), "nothing held back" end,
}
