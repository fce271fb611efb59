-- helpers.lua - what the binding specs share: the module, err(), and
-- builders for plain-Lua pool fixtures.
-- Use: local H = require "tests.bindings.helpers" (ctest's LUA_INIT file
-- puts the repository root on package.path; by hand, from the root:
-- LUA_PATH="./?.lua;;" LUA_CPATH="<dir of vmpilot.so>/?.so;;" busted ...).
local vp = require "vmpilot"

local M = { vp = vp, R = vp.Resources }

-- The message of the error fn(...) raises, without its "file:line: ".
function M.err(fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected an error")
  return (tostring(e):gsub("^[^:]+:%d+: ", ""))
end

-- The names of a list of proxies (or entries), in order.
function M.names(list)
  local t = {}
  for i, x in ipairs(list) do t[i] = x.name end
  return t
end

-- Host or VM entries for vmpilot.pool: one per name, each a copy of spec
-- with that name.  named({ "h1", "h2" }, { cpu = 8 })
function M.named(names, spec)
  local list = {}
  for i, name in ipairs(names) do
    local e = { name = name }
    for k, v in pairs(spec or {}) do e[k] = v end
    list[i] = e
  end
  return list
end

-- The pool most specs start from: hosts h1 and h2 (host_spec each,
-- default cpu = 8) and the VM entries vms.
function M.two_hosts(vms, host_spec)
  return vp.pool { hosts = M.named({ "h1", "h2" }, host_spec or { cpu = 8 }), vms = vms }
end

return M
