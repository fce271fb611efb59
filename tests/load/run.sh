#!/usr/bin/env bash
# tests/load/run.sh - the control API's load test (issue #6): `vmpilot serve`
# on two libvirt test-driver hosts (tests/data/libvirt/wide.xml: 128 cpus,
# 512 GiB each, no domains; reservation policy "none"), then wrk with 64
# connections on loopback for SECONDS (default 30):
#   1. GET /v1/hosts                                (tests/load/get.lua)
#   2. POST /v1/vms + DELETE /v1/vms/NAME pairs     (tests/load/pairs.lua)
# and the VMs left in the pool afterwards (a create answered after wrk
# stopped reading is not deleted).  Not part of ctest (it takes a minute
# and wants the machine to itself).
# usage: tests/load/run.sh [VMPILOT [SECONDS [THREADS]]]
#        (default build/engine/vmpilot, 30, 2; port: $VP_LOAD_PORT or 5790)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vmpilot=${1:-$here/../../build/engine/vmpilot}
secs=${2:-30}
threads=${3:-2}
port=${VP_LOAD_PORT:-5790}
base=http://127.0.0.1:$port
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

wide=$(cd "$here/../data/libvirt" && pwd)/wide.xml
cat > "$work/load.json" <<JSON
{
  "hosts": [{"name": "w1", "uri": "test://$wide"}, {"name": "w2", "uri": "test://$wide"}],
  "policies": {"reservation": "$(cd "$here/../../policies" && pwd)/reservation/none.lua"}
}
JSON
"$vmpilot" serve --listen "127.0.0.1:$port" "$work/load.json" > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  grep -q '"api_listening"' "$work/log" && break
  sleep 0.05
done
grep -q '"api_listening"' "$work/log" || { cat "$work/log"; exit 1; }

echo "== GET /v1/hosts: wrk -t$threads -c64 -d${secs}s"
wrk -t"$threads" -c64 -d"${secs}s" --latency -s "$here/get.lua" "$base/v1/hosts"
echo "== POST /v1/vms + DELETE /v1/vms/NAME pairs: wrk -t$threads -c64 -d${secs}s"
wrk -t"$threads" -c64 -d"${secs}s" --latency -s "$here/pairs.lua" "$base"
sleep 0.5
echo "VMs left in the pool: $(curl -s "$base/v1/vms" | grep -o '"name"' | wc -l)"
