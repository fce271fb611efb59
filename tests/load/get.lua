-- tests/load/get.lua - wrk script: prints failed statuses, socket errors and p99.
done = function(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d, socket errors: %d, p99 %.3f ms\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(99) / 1000))
end
