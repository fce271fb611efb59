local P = {}
function P.place(vm, hosts)
  return hosts[1] "first"
  if then
end
return P
