-- tests/load/pairs.lua - wrk script: create/delete pairs (POST /v1/vms, then DELETE
-- /v1/vms/NAME of a VM whose create was answered), on any number of connections.
-- A DELETE is only sent for a name taken from a 201 answer (response() queues it,
-- and the next request of the thread deletes it), so a DELETE never overtakes its
-- POST and every status >= 400 is the server's.  Names are unique per thread
-- ("lt<thread>_<n>").  wrk calls request() once before the run and drops that
-- request: that costs one name, never a DELETE.
local threads, next_id = {}, 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

-- per thread; created, deleted and refused are globals so that done() can read them
local n, queue = 0, {}
created, deleted, refused = 0, 0, 0

function request()
  local name = table.remove(queue)
  if name then
    return wrk.format("DELETE", "/v1/vms/" .. name)
  end
  n = n + 1
  return wrk.format("POST", "/v1/vms", { ["Content-Type"] = "application/json" },
    string.format('{"name": "lt%d_%d", "vcpus": 1, "memory": 64}', tid, n))
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    queue[#queue + 1] = body:match('"name": "([^"]+)"')
  elseif status == 200 then
    deleted = deleted + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local c, d, r = 0, 0, 0
  for _, t in ipairs(threads) do
    c, d, r = c + t:get("created"), d + t:get("deleted"), r + t:get("refused")
  end
  io.write(string.format("created %d, deleted %d, refused %d; status >= 400: %d, socket errors: %d\n",
    c, d, r, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency per request: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000))
  io.write(string.format("pairs/s: %.0f\n", math.min(c, d) / (summary.duration / 1e6)))
end
