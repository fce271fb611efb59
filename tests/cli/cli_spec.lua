-- cli_spec.lua - the `vmpilot` command as a user meets it: help, version,
-- exit codes, config and policy errors, simulate (table, JSON, events,
-- progress) and serve (clean stop on --duration and on SIGTERM, running
-- migrations let finish or aborted after the grace period, simulated and
-- libvirt test-driver hosts).
-- Needs VMPILOT (the binary) and VP_DATA (tests/data/cli) in the environment.
local json = require "dkjson"

local C = require "tests.cli.helpers"
local VMPILOT, run = C.VMPILOT, C.run
local DATA = assert(os.getenv("VP_DATA"), "VP_DATA not set")

local function lines(text)
  local t = {}
  for l in text:gmatch("[^\n]+") do t[#t + 1] = l end
  return t
end

describe("vmpilot", function()
  it("prints its version", function()
    local code, out = run("--version")
    assert.equal(0, code)
    assert.matches("^vmpilot %d+%.%d+%.%d+\n$", out)
  end)

  it("has --help on every command, naming the exit codes", function()
    for _, cmd in ipairs({ "", "simulate", "serve", "config check", "policy check", "config", "policy" }) do
      local code, out = run(cmd .. " --help")
      assert.equal(0, code, cmd)
      assert.matches("usage: vmpilot", out, 1, true)
      assert.matches("exit codes", out, 1, true)
    end
  end)

  it("exits 2 on usage errors, with the reason", function()
    local code, _, err = run("frobnicate")
    assert.equal(2, code)
    assert.matches("unknown command 'frobnicate'", err, 1, true)
    code, _, err = run("simulate --bogus")
    assert.equal(2, code)
    assert.matches("unknown or incomplete option '--bogus'", err, 1, true)
    code, _, err = run("serve")
    assert.equal(2, code)
    assert.matches("expected exactly one CONFIG", err, 1, true)
    code, _, err = run("serve --duration -3 x.json")
    assert.equal(2, code)
    assert.matches("--duration needs seconds > 0", err, 1, true)
    code = run("")
    assert.equal(2, code)
  end)

  it("exits 3 on a bad config, naming file, line, column and field", function()
    local code, out, err = run("simulate " .. DATA .. "/bad-field.json")
    assert.equal(3, code)
    assert.equal("", out)
    assert.matches("bad-field.json:4:6: field 'host_types[0].cpus': unknown field 'cpus'", err, 1, true)
    code, _, err = run("config check " .. DATA .. "/missing.json")
    assert.equal(3, code)
    assert.matches("missing.json", err, 1, true)
    assert.matches("No such file or directory", err, 1, true)
  end)

  it("validates a good config with config check", function()
    local code, out = run("config check " .. DATA .. "/small.json")
    assert.equal(0, code)
    assert.matches("configuration OK: 30 simulated hosts", out, 1, true)
  end)

  it("checks policy scripts and names the line of a syntax error", function()
    local code, out = run("policy check " .. DATA .. "/ok_policy.lua")
    assert.equal(0, code)
    assert.matches("ok_policy.lua: placement policy 'ok'", out, 1, true)
    assert.matches("no self_test; dry run passed", out, 1, true)
    local code2, out2, err2 = run("policy check " .. DATA .. "/ok_policy.lua " .. DATA .. "/broken_policy.lua")
    assert.equal(3, code2)
    assert.matches("ok_policy.lua: placement policy 'ok'", out2, 1, true)
    assert.matches("broken_policy.lua:4: 'end' expected", err2, 1, true)
  end)

  describe("simulate", function()
    it("prints a summary with units", function()
      local code, out = run("simulate -q " .. DATA .. "/small.json")
      assert.equal(0, code)
      assert.matches("hosts / VMs%s+30 / 60", out)
      assert.matches("placements%s+60 placed, 0 still pending", out)
      assert.matches("energy%s+[%d.]+ kWh", out)
      assert.matches("simulated%s+24:00:00 %(289 sample rounds", out)
      assert.matches("wall time%s+[%d.]+ s", out)
    end)

    it("prints the summary as JSON with --json", function()
      local code, out = run("simulate -q --json " .. DATA .. "/small.json")
      assert.equal(0, code)
      local s = assert(json.decode(out))
      assert.equal(30, s.hosts)
      assert.equal(60, s.vms)
      assert.equal(60, s.placed)
      assert.equal(86400, s.simulated_s)
      assert.equal("best-fit", s.policies.placement.name)
      assert.is_true(s.energy_kwh > 0)
      assert.is_true(s.active_hosts.min <= s.active_hosts.mean and s.active_hosts.mean <= s.active_hosts.max)
      -- the whole config, with the trace actually replayed
      assert.equal(30, s.settings.hosts[1].count)
      assert.equal(60, s.settings.simulation.max_vms)
      assert.matches("examples/traces/20110303$", s.settings.simulation.trace)
      assert.equal(0, s.policies.balance.errors)
    end)

    it("backs a large run's memory with huge pages where the kernel gives them on request", function()
      local f = io.open("/sys/kernel/mm/transparent_hugepage/enabled")
      local mode = f and f:read("l"):match("%[(%a+)%]") or ""
      if f then f:close() end
      local function huge(config, prefix)
        local code, out = run("simulate -q --json " .. DATA .. "/" .. config, prefix)
        assert.equal(0, code)
        return json.decode(out)
      end
      -- 4,096 hosts: restarted with glibc's tunable, unless told not to
      local s, s0 = huge("many-hosts.json"), huge("many-hosts.json", "VMPILOT_HUGE_PAGES=0 ")
      assert.equal(4096, s.hosts)
      assert.equal(mode == "always" or mode == "madvise", s.huge_pages)
      assert.equal(mode == "always", s0.huge_pages)
      assert.equal(s0.energy_kwh, s.energy_kwh) -- the same run either way
      assert.same(s0.migrations, s.migrations)
      -- a tunable the user gives is kept (and this one turns it off)
      assert.equal(mode == "always", huge("many-hosts.json", "GLIBC_TUNABLES=glibc.malloc.hugetlb=0 ").huge_pages)
      -- a small run is not restarted: it would gain nothing
      assert.equal(mode == "always", huge("small.json").huge_pages)
    end)

    it("counts a policy's errors in the JSON summary", function()
      local dir = os.tmpname()
      os.remove(dir)
      assert(os.execute("mkdir -p " .. dir))
      local f = assert(io.open(dir .. "/boom.lua", "w"))
      f:write("return { name = 'boom', balance = function(pool, ctx) error('no plan today') end }\n")
      f:close()
      f = assert(io.open(dir .. "/c.json", "w"))
      local cfg = assert(io.open(DATA .. "/small.json")):read("a")
      cfg = cfg:gsub('"intervals"', '"policies": {"balance": "' .. dir .. '/boom.lua"}, "intervals"', 1)
      f:write((cfg:gsub('"%.%./', '"' .. DATA .. '/../'))) -- the trace, from the new folder
      f:close()
      local code, out = run("simulate -q --json " .. dir .. "/c.json")
      assert.equal(0, code)
      local s = assert(json.decode(out))
      assert.equal("boom", s.policies.balance.name)
      assert.is_true(s.policies.balance.calls > 0)
      assert.equal(s.policies.balance.calls, s.policies.balance.errors)
      assert.equal(0, s.policies.placement.errors)
      os.execute("rm -rf " .. dir)
    end)

    it("writes every decision as a JSON line with --events", function()
      local file = os.tmpname()
      local code, out = run("simulate -q --json --events " .. file .. " " .. DATA .. "/small.json")
      assert.equal(0, code)
      local s = json.decode(out)
      local placed, started, done = 0, 0, 0
      for l in io.lines(file) do
        local ev = assert(json.decode(l))
        assert.is_number(ev.t)
        if ev.event == "placed" then
          placed = placed + 1
          assert.equal("best-fit", ev.policy)
          assert.is_string(ev.vm)
          assert.is_string(ev.host)
        elseif ev.event == "migration_started" then
          started = started + 1
          assert.is_string(ev.to)
        elseif ev.event == "migration_done" then
          done = done + 1
          assert.is_true(ev.duration_s > 0)
        end
      end
      os.remove(file)
      assert.equal(60, placed)
      assert.equal(s.migrations.done, done)
      assert.is_true(started >= done)
    end)

    it("reports progress on stderr when asked", function()
      local code, _, err = run("simulate --progress " .. DATA .. "/small.json")
      assert.equal(0, code)
      local l = lines(err)
      assert.is_true(#l >= 10, err)
      assert.matches("simulate:%s+%d+%%%s+simulated %d%d:%d%d:%d%d", l[1])
      assert.matches("100%", l[#l], 1, true)
    end)

    it("reports the consolidation experiment's metrics with the cloudsim model", function()
      local code, out = run("simulate -q --json " .. DATA .. "/cloudsim-thr.json")
      assert.equal(0, code)
      local c = assert(json.decode(out)).cloudsim
      assert.is_table(c)
      assert.is_true(c.energy_kwh > 0 and c.migrations > 0 and c.host_shutdowns > 0)
      assert.is_true(c.slatah > 0 and c.slatah < 1 and c.pdm > 0 and c.pdm < 1)
      assert.near(c.slatah * c.pdm, c.slav, 1e-12)
      assert.near(c.energy_kwh * c.slav, c.esv, 1e-12)
      assert.is_true(c.vms_removed > 0) -- VMs whose demand fell to 0 leave
    end)

    it("compares several configs side by side with --compare", function()
      local code, out = run("simulate -q --compare " .. DATA .. "/cloudsim-thr.json " ..
        DATA .. "/cloudsim-dvfs.json")
      assert.equal(0, code)
      assert.matches("%-%-compare %(2 runs%)", out)
      assert.matches("balance policy%s+thr%s+none", out)
      assert.matches("placement policy%s+pabfd%s+first%-suitable", out)
      assert.matches("energy %(kWh%)%s+[%d.]+%s+[%d.]+", out)
      assert.matches("SLATAH %(%%%)", out)
      local _, js = run("simulate -q --json --compare " .. DATA .. "/cloudsim-thr.json " ..
        DATA .. "/cloudsim-dvfs.json")
      local a = assert(json.decode(js))
      assert.equal(2, #a)
      assert.equal("thr", a[1].balance)
      assert.equal(0, a[2].cloudsim.migrations) -- DVFS never migrates
      assert.is_true(a[2].energy_kwh > a[1].energy_kwh) -- and uses more energy
    end)

    it("writes the time series as CSV and as an SVG plot", function()
      local csv, svg = os.tmpname(), os.tmpname()
      local code = run("simulate -q --csv " .. csv .. " --plot " .. svg .. " " .. DATA ..
        "/cloudsim-thr.json")
      assert.equal(0, code)
      local rows = {}
      for l in io.lines(csv) do rows[#rows + 1] = l end
      assert.equal("run,time_s,active_hosts,power_w,overloaded_hosts,migrations,sla_violation",
        rows[1])
      assert.equal(1 + 287, #rows) -- rounds at 300.1 ... 86100.1
      assert.matches('^".-cloudsim%-thr.json",300%.1,%d+,[%d.]+,%d+,%d+,[%d.]+$', rows[2])
      local f = io.open(svg)
      local doc = f:read("a")
      f:close()
      assert.matches("^<svg ", doc)
      assert.matches("active hosts", doc, 1, true)
      assert.matches("</svg>%s*$", doc)
      os.remove(csv)
      os.remove(svg)
    end)

    it("replays another trace with --trace, naming a folder that is missing", function()
      local code, out = run("simulate -q " .. DATA .. "/small.json --trace " .. DATA ..
        "/../config/trace")
      assert.equal(0, code)
      assert.matches("hosts / VMs%s+30 / 2", out)
      local code2, _, err = run("simulate -q " .. DATA .. "/small.json --trace /nonexistent/day")
      assert.equal(1, code2)
      assert.matches("cannot open trace folder '/nonexistent/day'", err, 1, true)
      local code3, _, err3 = run("simulate -q --compare no-such-set")
      assert.equal(3, code3)
      assert.matches("no-such-set", err3, 1, true)
    end)

    it("sets policy parameters with --set, and says what is wrong with one", function()
      -- the default balance policy (threshold) on small.json: upper 0.5
      -- instead of 0.8 moves more VMs; the settings show the params
      local _, base = run("simulate -q --json " .. DATA .. "/small.json")
      local code, out = run("simulate -q --json --set balance.upper=0.5 --set " ..
        "balance.lower=0.1 --set balance.name=low " .. DATA .. "/small.json")
      assert.equal(0, code)
      local a, b = assert(json.decode(base)), assert(json.decode(out))
      assert.same({ upper = 0.5, lower = 0.1, name = "low" }, b.settings.policies.balance.params)
      assert.equal("threshold", a.policies.balance.name)
      assert.equal("low", b.policies.balance.name) -- params may rename the policy
      assert.is_nil(a.settings.policies)
      assert.is_true(b.migrations.done > a.migrations.done)
      local code2, _, err2 = run("simulate -q --set upper=0.5")
      assert.equal(2, code2)
      assert.matches("--set 'upper=0.5': expected SLOT.NAME=VALUE", err2, 1, true)
      local code3, _, err3 = run("simulate -q --set balance.selection=x thr-mmt-0.8")
      assert.equal(3, code3)
      assert.matches("unknown selection 'x'", err3, 1, true)
    end)

    it("runs the embedded default without a config", function()
      local code, out = run("simulate -q --json")
      assert.equal(0, code)
      local s = assert(json.decode(out))
      assert.equal(800, s.hosts)
      assert.equal(1052, s.vms)
      assert.equal(1052, s.placed)
      assert.matches("embedded default", s.config, 1, true)
    end)
  end)

  describe("serve", function()
    local function events(out)
      local t = {}
      for _, l in ipairs(lines(out)) do t[#t + 1] = assert(json.decode(l)).event end
      return table.concat(t, " ")
    end

    it("runs in real time and stops cleanly after --duration", function()
      local code, out = run("serve --listen 127.0.0.1:0 --duration 1.5 " .. DATA .. "/fast-serve.json")
      assert.equal(0, code)
      local ev = events(out)
      assert.matches("^started api_listening placed", ev)
      assert.matches("balanced", ev, 1, true)
      -- the pool at the end: a line per VM, then a line per host
      assert.matches("stopping vm_final .*vm_final host_final .*host_final stopped$", ev)
    end)

    -- A config in a temporary folder whose placement policy we edit while
    -- the server runs; the trace is the shipped one (absolute path).
    local function hot_setup()
      local dir = os.tmpname()
      os.remove(dir)
      assert(os.execute("mkdir -p " .. dir))
      local trace = DATA .. "/../../../examples/traces/20110303"
      local cfg = io.open(dir .. "/serve.json", "w")
      cfg:write((([[{
        "host_types": [{"name": "g4", "cpu": 3720, "memory": 4096, "network": 1000}],
        "hosts": [{"type": "g4", "count": 4, "name": "h%d"}],
        "vm_types": [{"name": "small", "cpu": 500, "memory": 613}],
        "intervals": {"sample": 0.2, "balance": 0.3, "reservation": 0.5},
        "policies": {"placement": "place.lua"},
        "simulation": {"trace": "TRACE", "step": 0.1, "max_vms": 4}
      }]]):gsub("TRACE", trace)))
      cfg:close()
      return dir
    end

    local function write(path, text)
      local f = assert(io.open(path, "w"))
      f:write(text)
      f:close()
    end

    local function sleep(s) os.execute("sleep " .. s) end

    it("reloads a changed policy, refuses a broken one and keeps running", function()
      local dir = hot_setup()
      write(dir .. "/place.lua", "return { name = 'one', place = function(vm, hosts) return hosts[1], 'one' end }\n")
      local log = dir .. "/log"
      assert(os.execute(string.format("%s serve --listen 127.0.0.1:0 --duration 3 --pid-file %s/pid %s/serve.json > %s 2>&1 &",
        VMPILOT, dir, dir, log)))
      sleep(0.8)
      write(dir .. "/place.lua", "return { name = 'two', place = function(vm, hosts) return hosts[1], 'two' end }\n")
      sleep(0.6)
      write(dir .. "/place.lua", "return { name = 'three', place = function(vm, hosts) return hosts[1] +\n end }\n")
      sleep(0.6)
      local code = run("policy reload --pid-file " .. dir .. "/pid")
      assert.equal(0, code)
      sleep(2)
      local reloaded, failed, stopped = {}, {}, false
      for l in io.lines(log) do
        local ev = json.decode(l)
        if ev.event == "policy_reloaded" then reloaded[#reloaded + 1] = ev end
        if ev.event == "policy_reload_failed" then failed[#failed + 1] = ev end
        stopped = stopped or ev.event == "stopped"
      end
      assert.is_true(stopped)
      assert.is_true(#reloaded >= 1)
      assert.equal("placement", reloaded[1].slot)
      -- the broken file is refused (on change, and again on SIGHUP) naming file and line
      assert.is_true(#failed >= 2, "expected the change and the SIGHUP to fail")
      for _, ev in ipairs(failed) do
        if ev.slot == "placement" then
          assert.matches("place.lua:2:", ev.reason, 1, true)
          assert.matches("keeps running", ev.reason, 1, true)
        end
      end
      os.execute("rm -rf " .. dir)
    end)

    -- Events of the serve log so far (lines that are not complete JSON yet
    -- are skipped).
    local function log_events(log)
      local evs = {}
      local f = io.open(log)
      if not f then return evs end
      for l in f:lines() do evs[#evs + 1] = json.decode(l) end
      f:close()
      return evs
    end

    -- Waits (up to `limit` s) until pred(events) holds; returns it.
    local function wait_log(log, pred, limit)
      for _ = 1, limit * 10 do
        if pred(log_events(log)) then return true end
        sleep(0.1)
      end
      return false
    end

    local function has(evs, kind, slot)
      for _, ev in ipairs(evs) do
        if ev and ev.event == kind and (not slot or ev.slot == slot) then return true end
      end
      return false
    end

    it("reloads a policy when a module it requires changes", function()
      local dir = hot_setup()
      write(dir .. "/pick.lua", "return { label = 'm1' }\n")
      write(dir .. "/place.lua", "local M = require 'pick'\n" ..
        "return { name = 'mod', place = function(vm, hosts) return hosts[1], M.label end }\n")
      local log = dir .. "/log"
      assert(os.execute(string.format("%s serve --listen 127.0.0.1:0 --duration 8 --pid-file %s/pid %s/serve.json > %s 2>&1 &",
        VMPILOT, dir, dir, log)))
      assert.is_true(wait_log(log, function(e) return has(e, "started") end, 5), "serve started")
      sleep(0.3) -- the watches are set up before the loop runs; a margin for slow builds
      write(dir .. "/pick.lua", "return { label = 'm2' }\n") -- only the module changes
      local reloaded = wait_log(log, function(e) return has(e, "policy_reloaded", "placement") end, 5)
      os.execute("kill $(cat " .. dir .. "/pid) 2>/dev/null")
      assert.is_true(wait_log(log, function(e) return has(e, "stopped") end, 10), "serve stopped")
      assert.is_true(reloaded, "the module's change reloads the placement policy")
      local n = 0
      for _, ev in ipairs(log_events(log)) do
        if ev and ev.event == "policy_reloaded" and ev.slot == "placement" then n = n + 1 end
      end
      assert.equal(1, n)
      os.execute("rm -rf " .. dir)
    end)

    -- A config with two libvirt test-driver hosts (tests/data/libvirt/*.xml,
    -- absolute test:/// URIs) in a temporary folder.
    local function libvirt_config(second)
      local dir = os.tmpname()
      os.remove(dir)
      assert(os.execute("mkdir -p " .. dir))
      local xml = DATA .. "/../libvirt"
      local cfg = io.open(dir .. "/serve.json", "w")
      cfg:write(string.format([[{
        "hosts": [{"name": "small", "uri": "test://%s/small.xml"},
                  {"name": "big", "uri": "test://%s/%s"}],
        "intervals": {"sample": 0.2, "balance": 0.3, "reservation": 0.5}
      }]], xml, xml, second or "big.xml"))
      cfg:close()
      return dir
    end

    it("serves libvirt hosts: samples them and stops cleanly", function()
      local dir = libvirt_config()
      local code, out = run("serve --listen 127.0.0.1:0 --duration 1 " .. dir .. "/serve.json")
      os.execute("rm -rf " .. dir)
      assert.equal(0, code)
      local ev = events(out)
      assert.matches("^started api_listening", ev)
      assert.matches("stopping vm_final vm_final host_final host_final stopped$", ev)
      assert.not_matches("sample_failed", ev, 1, true)
      local final = {}
      for _, l in ipairs(lines(out)) do
        local o = json.decode(l)
        if o.event == "vm_final" then final[o.vm] = o.host .. " " .. o.state end
        if o.event == "host_final" then final[o.host] = o.state end
      end
      assert.same({web1 = "small running", batch1 = "big running", small = "up", big = "up"},
        final)
    end)

    it("fails to start when a libvirt host does not open, naming it", function()
      local dir = libvirt_config("no-such-host.xml")
      local code, out, err = run("serve --listen 127.0.0.1:0 --duration 1 " .. dir .. "/serve.json")
      os.execute("rm -rf " .. dir)
      assert.equal(1, code)
      assert.equal("", out)
      assert.matches("host 'big'", err, 1, true)
      assert.matches("no-such-host.xml", err, 1, true)
    end)

    -- A simulated config in a temporary folder whose balance policy moves
    -- one VM at the first round; a migration takes 613 MiB / (network / 8)
    -- seconds (migration_bandwidth_share 1).
    local function stop_config(network, grace)
      local dir = os.tmpname()
      os.remove(dir)
      assert(os.execute("mkdir -p " .. dir))
      local cfg = io.open(dir .. "/serve.json", "w")
      cfg:write(string.format([[{
        "host_types": [{"name": "g4", "cpu": 3720, "memory": 4096, "network": %g,
                        "overcommit": {"cpu": 3.0}}],
        "hosts": [{"type": "g4", "count": 4, "name": "h%%d"}],
        "vm_types": [{"name": "small", "cpu": 500, "memory": 613}],
        "intervals": {"sample": 0.2, "balance": 0.3, "reservation": 0.5},
        "limits": {"migration_bandwidth_share": 1, "shutdown_grace": %g},
        "policies": {"balance": "%s/move_once.lua"},
        "simulation": {"trace": "%s/../../../examples/traces/20110303", "step": 0.1,
                       "max_vms": 4}
      }]], network, grace, DATA, DATA))
      cfg:close()
      return dir
    end

    -- the events of out, in order, and the first line of each kind
    local function by_event(out)
      local order, first = {}, {}
      for _, l in ipairs(lines(out)) do
        local o = assert(json.decode(l))
        order[#order + 1] = o.event
        first[o.event] = first[o.event] or o
      end
      return table.concat(order, " "), first
    end

    it("lets a running migration finish on SIGTERM (within the grace period)", function()
      local dir = stop_config(2452, 30) -- a 2 s migration
      local t0 = os.time()
      local code, out = run("serve --listen 127.0.0.1:0 " .. dir .. "/serve.json", "timeout --preserve-status -s TERM 1 ")
      os.execute("rm -rf " .. dir)
      assert.equal(0, code)
      local ev, first = by_event(out)
      assert.matches("migration_started .*stopping stop_waiting .*migration_done .*stopped$", ev)
      assert.not_matches("stop_aborting", ev, 1, true)
      assert.not_matches("migration_failed", ev, 1, true)
      assert.equal("SIGTERM", first.stopping.reason)
      assert.equal("1 migration running: letting them finish for up to 30 s", first.stop_waiting.reason)
      assert.near(1.96, first.migration_done.duration_s, 0.5)
      assert.is_true(first.migration_done.t >= first.stopping.t)
      assert.is_true(os.time() - t0 < 10)
    end)

    it("aborts a running migration once the grace period is over", function()
      local dir = stop_config(98, 0.5) -- a 50 s migration
      local t0 = os.time()
      local code, out = run("serve --listen 127.0.0.1:0 " .. dir .. "/serve.json", "timeout --preserve-status -s TERM 1 ")
      os.execute("rm -rf " .. dir)
      assert.equal(0, code)
      local ev, first = by_event(out)
      assert.matches("migration_started .*stopping stop_waiting stop_aborting .*migration_failed .*stopped$", ev)
      assert.equal("grace period over: aborting 1 running migration", first.stop_aborting.reason)
      assert.equal("aborted on request", first.migration_failed.reason)
      assert.near(0.5, first.stop_aborting.t - first.stopping.t, 0.2)
      assert.is_nil(first.migration_done)
      -- the VM stayed on its source in the pool
      local vm = first.migration_failed.vm
      for _, l in ipairs(lines(out)) do
        local o = json.decode(l)
        if o.event == "vm_final" and o.vm == vm then
          assert.equal(first.migration_failed.host, o.host)
          assert.equal("running", o.state)
        end
      end
      assert.is_true(os.time() - t0 < 10)
    end)

    it("aborts running migrations at once on SIGINT while stopping", function()
      local dir = stop_config(98, 30) -- a 50 s migration, a 30 s grace period
      local t0 = os.time()
      local p = io.popen(string.format("sh -c '%s serve --listen 127.0.0.1:0 %s/serve.json & p=$!; sleep 1; " ..
        "kill -TERM $p; sleep 0.6; kill -INT $p; wait $p; echo \"rc=$?\"'", VMPILOT, dir))
      local out = p:read("a")
      p:close()
      os.execute("rm -rf " .. dir)
      assert.matches("rc=0\n$", out)
      out = out:gsub("rc=0\n$", "")
      local ev, first = by_event(out)
      assert.matches("stopping stop_waiting stop_aborting .*migration_failed .*stopped$", ev)
      assert.equal("SIGTERM", first.stopping.reason)
      assert.equal("SIGINT: aborting 1 running migration", first.stop_aborting.reason)
      assert.near(0.6, first.stop_aborting.t - first.stopping.t, 0.3)
      assert.equal("aborted on request", first.migration_failed.reason)
      assert.is_true(os.time() - t0 < 10)
    end)

    it("stops cleanly on SIGTERM", function()
      local code, out = run("serve --listen 127.0.0.1:0 " .. DATA .. "/fast-serve.json", "timeout --preserve-status -s TERM 2 ")
      assert.equal(0, code)
      assert.matches('"reason":"SIGTERM"', out, 1, true)
      assert.matches('"event":"stopped"', out, 1, true)
    end)
  end)
end)
