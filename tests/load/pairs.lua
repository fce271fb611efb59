-- tests/load/pairs.lua - wrk script: create/delete pairs (POST /v1/vms, DELETE /v1/vms/NAME).
-- Run on ONE connection (-t1 -c1) so a DELETE never overtakes its POST.  wrk calls
-- request() once before the run and drops that request, so the first request sent is
-- DELETE lt1, answered 404: one "status >= 400" per run is this script's, not the server's.
local i = 0
request = function()
  i = i + 1
  local name = "lt" .. math.floor((i + 1) / 2)
  if i % 2 == 1 then
    return wrk.format("POST", "/v1/vms", {["Content-Type"] = "application/json"},
      '{"name": "' .. name .. '", "vcpus": 1, "memory": 64}')
  end
  return wrk.format("DELETE", "/v1/vms/" .. name)
end
done = function(summary, latency, requests)
  io.write(string.format("status >= 400: %d, p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms\n", summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
