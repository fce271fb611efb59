#!/usr/bin/env bash
# tests/lab/migrate_test.sh - `vmpilot serve` live-migrates a real QEMU guest
# between two libvirt hosts (issue #5).  ctest: lab/migration (label "lab",
# not in the default run: `ctest --test-dir build -L lab -V`).
#
#   1. lab.sh up: hosts A (127.0.0.2), B (127.0.0.3) and C (127.0.0.4, with
#      B's host UUID, so libvirt refuses B -> C as "the same host");
#   2. builds the busy guest (guest/busy.S) in a temp dir, defines and starts
#      it on A;
#   3. runs `$VMPILOT serve` on the three hosts with a balance policy that
#      moves the guest A -> B once its cpu demand is sampled, then B -> C once;
#   4. checks the JSON log: balanced, migration_started then migration_done
#      A -> B; migration_started then migration_failed B -> C; the cpu
#      utilization the engine sampled (carried in the moves' reasons) is over
#      50 % of the guest's vCPU;
#   5. checks with virsh: the guest runs on B and its cpu time grows, it is
#      gone from A and not on C;
#   6. prints the figures: decision -> migration start, migration time, the
#      engine's decision -> done against a plain `virsh migrate` B -> A of the
#      same guest (same flags and bandwidth) and back A -> B, and libvirt's
#      own job times (domjobinfo --completed);
#   7. lab.sh down, always.
# env: VMPILOT   the vmpilot binary (set by ctest)
#      VP_LAB_DIR see lab.sh (default: a fresh temp dir)
# exit: 0 pass, 1 fail, 77 skipped (not root: the lab needs namespaces)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VMPILOT=${VMPILOT:?set VMPILOT to the vmpilot binary}
[ "$(id -u)" = 0 ] || { echo "SKIP: the lab needs root"; exit 77; }

WORK=$(mktemp -d /tmp/vmpilot-labtest.XXXXXX)
export VP_LAB_DIR=${VP_LAB_DIR:-$WORK/hosts}
export VP_LAB_HOSTS="A:127.0.0.2 B:127.0.0.3 C:127.0.0.4:B"
A=qemu+tcp://127.0.0.2/system
B=qemu+tcp://127.0.0.3/system
C=qemu+tcp://127.0.0.4/system
DOM=vmpilot-lab-guest
LOG=$WORK/serve.log
SERVE_PID=

cleanup() {
    local rc=$?
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    bash "$HERE/lab.sh" down || true
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fails=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # description command...
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
cpu_ns() { virsh -q -c "$1" domstats --cpu-total "$DOM" | awk -F= '/cpu.time=/{print $2}'; }

command -v jq >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q jq >/dev/null
bash "$HERE/lab.sh" up

echo "== guest"
KERNEL=$(bash "$HERE/guest/build.sh" "$WORK/guest")
cat > "$WORK/$DOM.xml" <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$KERNEL</kernel>
  </os>
  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
virsh -q -c "$A" define "$WORK/$DOM.xml" >/dev/null
virsh -q -c "$A" start "$DOM" >/dev/null
echo "started $DOM on A"

# The balance policy: A -> B once the engine has sampled a cpu demand (or
# after 20 rounds without one, so a guest that is not busy fails the
# utilization check instead of hanging the test), then B -> C once.
cat > "$WORK/lab_balance.lua" <<EOF
local P = { name = "lab-move" }
local step, waited, arrived = 0, 0, nil

function P.balance(pool, ctx)
  local vm
  for _, v in ipairs(pool:vms()) do
    if v.name == "$DOM" then vm = v end
  end
  if not vm or vm.state ~= "running" then return nil end
  local why = string.format("utilization=%.4f demand=%.4f size=%.4f",
    vm.utilization, vm.demand.cpu, vm.size.cpu)
  if step == 0 and vm.host.name == "A" then
    if vm.demand.cpu <= 0 and waited < 20 then
      waited = waited + 1
      return nil
    end
    step = 1
    return { { vm = vm, to = pool:host("B"), why = "lab move 1: " .. why } }
  end
  if step == 1 and vm.host.name == "B" then
    -- wait 3 s on B: the first sample on a host only primes the cpu counter,
    -- the next ones measure the guest there
    arrived = arrived or ctx.now
    if ctx.now - arrived < 3 or (vm.demand.cpu <= 0 and waited < 40) then
      waited = waited + 1
      return nil
    end
    step = 2
    return { { vm = vm, to = pool:host("C"), why = "lab move 2: " .. why } }
  end
  return nil
end

return P
EOF
cat > "$WORK/lab.json" <<EOF
{
  "hosts": [
    {"name": "A", "uri": "$A"},
    {"name": "B", "uri": "$B"},
    {"name": "C", "uri": "$C"}
  ],
  "intervals": {"sample": 0.5, "balance": 1, "reservation": 5},
  "policies": {"balance": "lab_balance.lua"}
}
EOF

echo "== vmpilot serve (stops at migration_failed, at most 120 s)"
"$VMPILOT" serve --listen 127.0.0.1:0 --duration 120 "$WORK/lab.json" > "$LOG" 2> "$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 1 1200); do
    grep -q '"event":"migration_failed"' "$LOG" 2>/dev/null && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
done
sleep 1 # let the engine log whatever follows the failure
kill "$SERVE_PID" 2>/dev/null || true
serve_rc=0
wait "$SERVE_PID" || serve_rc=$?
SERVE_PID=
sed 's/^/  | /' "$LOG"
[ -s "$WORK/serve.err" ] && sed 's/^/  ! /' "$WORK/serve.err"
check "serve stopped cleanly (rc $serve_rc)" test "$serve_rc" = 0

# first line matching a jq filter on the guest's events (compact JSON or empty)
ev() { jq -c --arg vm "$DOM" "select(.vm == \$vm and ($1))" "$LOG" | head -n 1; }
field() { jq -r "$2" <<< "$1"; }

started1=$(ev '.event == "migration_started" and .host == "A" and .to == "B"')
done1=$(ev '.event == "migration_done" and .host == "A" and .to == "B"')
started2=$(ev '.event == "migration_started" and .host == "B" and .to == "C"')
failed2=$(ev '.event == "migration_failed" and .host == "B" and .to == "C"')
check "migration_started A -> B" test -n "$started1"
check "migration_done A -> B" test -n "$done1"
check "migration_started B -> C" test -n "$started2"
check "migration_failed B -> C" test -n "$failed2"
[ -n "$started1" ] && [ -n "$done1" ] &&
    check "A -> B: started before done" jq -n --argjson s "$started1" --argjson d "$done1" -e '$s.t <= $d.t' >/dev/null
[ -n "$failed2" ] && echo "  failure reason: $(field "$failed2" .reason)"

# the utilization the engine sampled on A (move 1) and on B (move 2)
util() { sed -n 's/.*lab move [12]: utilization=\([0-9.]*\).*/\1/p' <<< "$1"; }
u1=$(util "$started1"); u2=$(util "$started2")
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
check "engine-sampled cpu utilization on A > 0.5 of one vCPU (${u1:-none})" gt "${u1:-0}" 0.5
check "engine-sampled cpu utilization on B > 0.5 of one vCPU (${u2:-none})" gt "${u2:-0}" 0.5

echo "== hosts after serve"
st_b=$(virsh -q -c "$B" domstate "$DOM" 2>/dev/null || echo absent)
check "guest running on B (state: $st_b)" test "$st_b" = running
cpu_ns "$B" >/dev/null || true # the first stats call after a migration can be slow
t1=$(ms); c1=$(cpu_ns "$B"); sleep 2; t2=$(ms); c2=$(cpu_ns "$B")
busy=$(awk -v c="$((c2 - c1))" -v t="$((t2 - t1))" 'BEGIN { printf "%.2f", c / 1e6 / t }')
check "guest cpu time grows on B (+$(( (c2 - c1) / 1000000 )) ms in $((t2 - t1)) ms: $busy of one CPU)" \
    test "$c2" -gt "$c1"
check "virsh: guest busy on B (> 0.5 of one CPU)" gt "$busy" 0.5
check "guest gone from A" test -z "$(virsh -q -c "$A" list --all --name)"
check "guest not on C" test -z "$(virsh -q -c "$C" list --all --name)"

# libvirt's own time of a completed migration (ms), read on its destination
job_ms() { virsh -q -c "$1" domjobinfo --completed "$DOM" 2>/dev/null | awk '/^Time elapsed:/{print $3; exit}'; }
engine_job_ms=$(job_ms "$B")

echo "== plain virsh migrate B -> A and A -> B (same flags, same bandwidth)"
vmigrate() { # from to -> prints whole-call ms
    local t0 rc=0
    t0=$(ms)
    virsh -q -c "$1" migrate --live --p2p --persistent --undefinesource --bandwidth 1024 \
        "$DOM" "$2" >&2 || rc=$?
    echo $(( $(ms) - t0 ))
    return $rc
}
virsh_ba=$(vmigrate "$B" "$A") && ok "virsh migrate B -> A (${virsh_ba} ms)" || bad "virsh migrate B -> A"
virsh_ba_job=$(job_ms "$A")
check "guest running on A after virsh migrate" test "$(virsh -q -c "$A" domstate "$DOM" 2>/dev/null)" = running
virsh_ab=$(vmigrate "$A" "$B") && ok "virsh migrate A -> B (${virsh_ab} ms)" || bad "virsh migrate A -> B"
virsh_ab_job=$(job_ms "$B")
check "guest running on B after virsh migrate" test "$(virsh -q -c "$B" domstate "$DOM" 2>/dev/null)" = running

echo "== figures (engine clock for the events; wall clock for virsh)"
decided=
[ -n "$started1" ] && decided=$(jq -r --argjson s "$started1" \
    'select(.event == "balanced" and .moves > 0 and .t <= $s.t) | .t' "$LOG" | tail -n 1)
if [ -n "$started1" ] && [ -n "$done1" ] && [ -n "$decided" ]; then
    jq -nr --argjson s "$started1" --argjson d "$done1" --argjson dec "$decided" \
        --argjson f "${failed2:-null}" --argjson ej "${engine_job_ms:-null}" \
        --argjson ba "${virsh_ba:-null}" --argjson baj "${virsh_ba_job:-null}" \
        --argjson ab "${virsh_ab:-null}" --argjson abj "${virsh_ab_job:-null}" '
        def r: if . == null then "-" else (. | round | tostring) end;
        "engine A -> B: decision -> migration_started  \((($s.t - $dec) * 1000) | r) ms",
        "engine A -> B: migration time (duration_s)     \(($d.duration_s * 1000) | r) ms",
        "engine A -> B: decision -> migration_done      \((($d.t - $dec) * 1000) | r) ms",
        "engine A -> B: libvirt job time                \($ej | r) ms",
        "engine A -> B: overhead (duration_s - job)     \(if $ej then (($d.duration_s * 1000 - $ej) | r) else "-" end) ms",
        "virsh  B -> A: whole call \($ba | r) ms, libvirt job \($baj | r) ms, overhead \(if $ba and $baj then (($ba - $baj) | r) else "-" end) ms",
        "virsh  A -> B: whole call \($ab | r) ms, libvirt job \($abj | r) ms, overhead \(if $ab and $abj then (($ab - $abj) | r) else "-" end) ms",
        "engine vs virsh A -> B (decision -> done minus whole call): \(if $ab then ((($d.t - $dec) * 1000 - $ab) | r) else "-" end) ms",
        "refused migration B -> C: migration_failed after \(if $f then (($f.duration_s * 1000) | r) else "-" end) ms"'
fi

echo "== result"
if [ "$fails" = 0 ]; then
    echo "LAB MIGRATION TEST PASSED"
else
    echo "LAB MIGRATION TEST FAILED: $fails check(s)"
    exit 1
fi
