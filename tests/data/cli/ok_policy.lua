local P = { name = "ok" }
function P.place(vm, hosts, ctx)
  return hosts[1], "first"
end
return P
