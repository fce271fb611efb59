-- api_spec.lua - the control API of `vmpilot serve` as curl meets it, on
-- libvirt test-driver hosts (tests/data/libvirt/seed.xml: one empty host of
-- 8 CPUs and 16 GiB; a reservation policy that holds nothing back).  Each
-- test starts its own server on a free loopback port (--listen
-- 127.0.0.1:0; the port is read from the "api_listening" log line).
-- Needs VMPILOT and VP_DATA (tests/data/cli) in the environment, and curl.
local json = require "dkjson"

local VMPILOT = assert(os.getenv("VMPILOT"), "VMPILOT not set")
local DATA = assert(os.getenv("VP_DATA"), "VP_DATA not set")
local LIBVIRT = DATA .. "/../libvirt"
local API_DATA = DATA .. "/../api"

local function sh(cmd)
  local p = io.popen(cmd)
  local out = p:read("a")
  p:close()
  return out
end

local function sleep(s) os.execute("sleep " .. s) end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local function read(path)
  local f = io.open(path)
  if not f then return "" end
  local t = f:read("a")
  f:close()
  return t
end

-- A config in a fresh folder: the given hosts (name -> XML file), an
-- optional extra top-level JSON fragment, policies (default: a
-- reservation policy that holds nothing back) and vm_types entries
-- (default: small, 1 CPU, 512 MiB).
local function config(hosts, extra, policies, vm_types)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. dir))
  local hs = {}
  for _, h in ipairs(hosts) do
    hs[#hs + 1] = string.format('{"name": "%s", "uri": "test://%s/%s"}', h[1], LIBVIRT, h[2])
  end
  write(dir .. "/serve.json", string.format([[{
    "hosts": [%s],
    "vm_types": [%s],
    "intervals": {"sample": 0.2, "balance": 0.3, "reservation": 0.5},
    "policies": {%s}%s
  }]], table.concat(hs, ", "), vm_types or '{"name": "small", "cpu": 1, "memory": 512}',
    policies or ('"reservation": "' .. API_DATA .. '/no_reserve.lua"'), extra or ""))
  return dir
end

-- Starts serve on cfg's folder, listening on host (default 127.0.0.1)
-- port 0; returns a server {dir, port, base}.
local function start(dir, args, host)
  local log = dir .. "/log"
  host = host or "127.0.0.1"
  assert(os.execute(string.format(
    "%s serve --listen %s:0 --pid-file %s/pid %s %s/serve.json > %s 2>&1 &",
    VMPILOT, host, dir, args or "", dir, log)))
  local logged = '"event":"api_listening","address":"' .. host:gsub("%p", "%%%0") .. ':(%d+)"'
  for _ = 1, 100 do
    local port = read(log):match(logged)
    local url_host = host == "127.0.0.1" and "localhost" or host
    if port then return { dir = dir, port = port, base = "http://" .. url_host .. ":" .. port } end
    sleep(0.05)
  end
  error("serve did not start listening:\n" .. read(log))
end

local function stop(srv)
  os.execute("kill -TERM $(cat " .. srv.dir .. "/pid) 2>/dev/null")
  for _ = 1, 100 do
    if read(srv.dir .. "/log"):find('"event":"stopped"', 1, true) then break end
    sleep(0.05)
  end
  local log = read(srv.dir .. "/log")
  os.execute("rm -rf " .. srv.dir)
  return log
end

-- curl with the status code on the last line: returns status, decoded body, raw body.
local function request(srv, args)
  local out = sh(string.format("curl -g -s -w '\\n%%{http_code}' %s 2>/dev/null",
    args:gsub("URL", srv.base)))
  local body, code = out:match("^(.*)\n(%d+)$")
  return tonumber(code), json.decode(body or ""), body
end

-- One of the issue's curl lines, verbatim but for the port.
local function curl_line(srv, line)
  return sh(line:gsub("localhost:5000", "localhost:" .. srv.port) .. " 2>/dev/null")
end

-- The Prometheus text exposition format (0.0.4), line by line: returns
-- {families = {name = {type, help}}, samples = {{name, labels, value}}}
-- or raises naming the line that breaks the grammar.
local function parse_metrics(text)
  local families, samples, seen = {}, {}, {}
  local function labels(s, n)
    local t, i = {}, 1
    while i <= #s do
      local name, rest = s:match("^([%a_][%w_]*)=\"()", i)
      assert(name, "line " .. n .. ": bad label name at " .. s:sub(i))
      local j, v = rest, {}
      while true do
        local c = s:sub(j, j)
        assert(c ~= "", "line " .. n .. ": unterminated label value")
        if c == "\\" then
          local e = s:sub(j + 1, j + 1)
          assert(e == "\\" or e == '"' or e == "n", "line " .. n .. ": bad escape")
          v[#v + 1] = e == "n" and "\n" or e
          j = j + 2
        elseif c == '"' then break
        else v[#v + 1] = c; j = j + 1 end
      end
      t[name] = table.concat(v)
      i = j + 1
      if s:sub(i, i) == "," then i = i + 1 end
    end
    return t
  end
  local n = 0
  for line in text:gmatch("([^\n]*)\n") do
    n = n + 1
    if line:match("^#") then
      local kind, name, rest = line:match("^# (%u+) ([%a_:][%w_:]*) (.*)$")
      if kind == "TYPE" then
        assert(({ counter = 1, gauge = 1, histogram = 1, summary = 1, untyped = 1 })[rest],
          "line " .. n .. ": bad type " .. tostring(rest))
        assert(not families[name] or not families[name].type, "line " .. n .. ": second TYPE for " .. name)
        assert(not seen[name], "line " .. n .. ": TYPE after samples of " .. name)
        families[name] = families[name] or {}
        families[name].type = rest
      elseif kind == "HELP" then
        families[name] = families[name] or {}
        families[name].help = rest
      end
    elseif line ~= "" then
      local name, rest = line:match("^([%a_:][%w_:]*)(.*)$")
      assert(name, "line " .. n .. ": bad metric name: " .. line)
      local lab, value = {}, nil
      if rest:sub(1, 1) == "{" then
        local inside, after = rest:match("^{(.-)}( .*)$")
        assert(inside, "line " .. n .. ": bad labels: " .. line)
        lab, rest = labels(inside, n), after
      end
      value = rest:match("^ (%S+)$") or rest:match("^ (%S+) %-?%d+$")
      assert(value, "line " .. n .. ": bad value: " .. line)
      local x = tonumber(value) or ({ NaN = 0 / 0, ["+Inf"] = math.huge, ["-Inf"] = -math.huge })[value]
      assert(x, "line " .. n .. ": value is not a number: " .. value)
      local fam = name
      local base = name:match("^(.*)_bucket$") or name:match("^(.*)_sum$") or name:match("^(.*)_count$")
      if base and families[base] and families[base].type == "histogram" then fam = base end
      assert(families[fam] and families[fam].type, "line " .. n .. ": no TYPE for " .. name)
      if fam ~= name and name:match("_bucket$") then
        assert(lab.le, "line " .. n .. ": a histogram bucket needs le")
      end
      seen[fam] = true
      samples[#samples + 1] = { name = name, labels = lab, value = x }
    end
  end
  assert(text:sub(-1) == "\n", "the text must end with a newline")
  return { families = families, samples = samples }
end

-- `vmpilot ARGS --api srv`: exit code, stdout, stderr.
local function client(srv, args)
  local err = os.tmpname()
  local out = sh(string.format("%s %s --api %s 2>%s; echo \"rc=$?\"", VMPILOT, args, srv.base, err))
  local e = read(err)
  os.remove(err)
  local body, rc = out:match("^(.*)rc=(%d+)\n$")
  return tonumber(rc), body, e
end

-- The value of the sample name{k=v...}, or nil.
local function metric(m, name, want)
  for _, s in ipairs(m.samples) do
    local ok = s.name == name
    for k, v in pairs(want or {}) do ok = ok and s.labels[k] == v end
    if ok then return s.value end
  end
end

describe("the control API", function()
  local srv
  after_each(function()
    if srv then stop(srv) end
    srv = nil
  end)

  describe("simple form endpoints", function()
    before_each(function() srv = start(config({ { "seed", "seed.xml" } })) end)

    it("runs the three curl lines of the issue verbatim", function()
      local out = curl_line(srv, 'curl http://localhost:5000/resources')
      assert.same({ cpu = 8, memory = 16 }, json.decode(out))
      assert.equal('{"cpu": 8, "memory": 16}\n', out)
      out = curl_line(srv, 'curl -X POST -F "vm_name=vm1" -F "cpu=2" -F "memory=4" http://localhost:5000/allocate')
      assert.same({ status = "allocated", vm_name = "vm1", host = "seed", cpu = 2, memory = 4 },
        json.decode(out))
      assert.same({ cpu = 6, memory = 12 }, json.decode(curl_line(srv, 'curl http://localhost:5000/resources')))
      -- the VM really exists on the libvirt host: the log saw it placed
      out = curl_line(srv, 'curl -X POST -F "vm_name=vm1" http://localhost:5000/deallocate')
      assert.same({ status = "deallocated", vm_name = "vm1", host = "seed" }, json.decode(out))
      assert.same({ cpu = 8, memory = 16 }, json.decode(curl_line(srv, 'curl http://localhost:5000/resources')))
      local log = stop(srv)
      srv = nil
      assert.matches('"event":"placed","slot":"placement","policy":"best%-fit"[^\n]*"vm":"vm1","host":"seed"', log)
    end)

    it("holds the seed case: three 2 CPU / 4 GB VMs fit 8 CPU / 16 GB, a 4 CPU fourth only after a release", function()
      for i = 1, 3 do
        local code, body = request(srv, string.format('-X POST -F vm_name=vm%d -F cpu=2 -F memory=4 URL/allocate', i))
        assert.equal(201, code)
        assert.equal("allocated", body.status)
      end
      local code, body = request(srv, '-X POST -F vm_name=vm4 -F cpu=4 -F memory=4 URL/allocate')
      assert.equal(409, code)
      assert.equal("insufficient capacity", body.error)
      assert.matches("VM 'vm4' (cpu 4, memory 4096 MiB) was not placed: no host has room", body.detail, 1, true)
      assert.matches("cpu 2, memory 4096 MiB free", body.detail, 1, true)
      -- the refused request changed nothing
      code, body = request(srv, 'URL/resources')
      assert.same({ cpu = 2, memory = 4 }, body)
      code = request(srv, 'URL/v1/vms/vm4')
      assert.equal(404, code)
      code, body = request(srv, '-X POST -F vm_name=vm2 URL/deallocate')
      assert.equal(200, code)
      code, body = request(srv, '-X POST -F vm_name=vm4 -F cpu=4 -F memory=4 URL/allocate')
      assert.equal(201, code)
      assert.same({ status = "allocated", vm_name = "vm4", host = "seed", cpu = 4, memory = 4 }, body)
      code, body = request(srv, 'URL/resources')
      assert.same({ cpu = 0, memory = 4 }, body)
    end)

    it("accepts form-urlencoded bodies too", function()
      local code, body = request(srv, '-X POST -d "vm_name=web&cpu=1&memory=0.5" URL/allocate')
      assert.equal(201, code)
      assert.same({ status = "allocated", vm_name = "web", host = "seed", cpu = 1, memory = 0.5 }, body)
      code, body = request(srv, '-X POST -d "vm_name=web" URL/deallocate')
      assert.equal(200, code)
      assert.equal("deallocated", body.status)
    end)

    it("refuses an existing name and an unknown one, changing nothing", function()
      assert.equal(201, (request(srv, '-X POST -F vm_name=a -F cpu=2 -F memory=4 URL/allocate')))
      local code, body = request(srv, '-X POST -F vm_name=a -F cpu=1 -F memory=1 URL/allocate')
      assert.equal(409, code)
      assert.same({ error = "VM exists", detail = "a VM called 'a' already exists" }, body)
      code, body = request(srv, '-X POST -F vm_name=ghost URL/deallocate')
      assert.equal(404, code)
      assert.same({ error = "unknown VM", detail = "no VM called 'ghost'" }, body)
      code, body = request(srv, 'URL/resources')
      assert.same({ cpu = 6, memory = 12 }, body)
    end)

    it("answers bad requests with 4xx and a JSON error", function()
      local cases = {
        { '-X POST -F cpu=2 -F memory=4 URL/allocate', 400, "vm_name is missing" },
        { '-X POST -F vm_name=x -F memory=4 URL/allocate', 400, "cpu is missing" },
        { '-X POST -F vm_name=x -F cpu=two -F memory=4 URL/allocate', 400, "cpu is not a number > 0" },
        { '-X POST -F vm_name=x -F cpu=2 -F memory=-1 URL/allocate', 400, "memory is not a number > 0" },
        { '-X POST -F "vm_name=a b" -F cpu=2 -F memory=1 URL/allocate', 400, "vm_name must be" },
        { '-X POST URL/deallocate', 415, "multipart/form-data" },
        { '-X POST -F vm_name= URL/deallocate', 400, "vm_name is missing" },
        { 'URL/allocate', 405, "GET /allocate: use POST" },
        { '-X POST URL/resources', 405, "use GET" },
        { 'URL/nowhere', 404, "no route GET /nowhere" },
      }
      for _, c in ipairs(cases) do
        local code, body = request(srv, c[1])
        assert.equal(c[2], code, c[1])
        assert.is_string(body.error, c[1])
        assert.matches(c[3], body.detail, 1, true)
      end
      -- a multipart part without a name (found by the fuzzer: it crashed the server)
      local nameless = srv.dir .. "/nameless"
      write(nameless, '--XyZ\r\nContent-Disposition: form-data; name="vm_name"\r\n\r\nvm1\r\n' ..
        '--XyZ\r\nContent-Disposition: form-data; name="cpu"\r\n\r\n2\r\n' ..
        '--XyZ\r\nConpent-Disposition: form-data; name="memory"\r\n\r\n4\r\n--XyZ--\r\n')
      local code, body = request(srv, "-X POST -H 'Content-Type: multipart/form-data; boundary=XyZ' " ..
        "--data-binary @" .. nameless .. " URL/allocate")
      assert.equal(400, code)
      assert.equal("memory is missing (cpu in CPUs, memory in GB)", body.detail)
      -- a body over 1 MiB
      local big = srv.dir .. "/big"
      write(big, "vm_name=x&cpu=1&memory=1&pad=" .. string.rep("a", 1100000))
      code, body = request(srv, '-X POST --data-binary @' .. big .. ' URL/allocate')
      assert.equal(413, code)
      assert.same({ error = "body too large", detail = "the body is larger than 1 MiB" }, body)
      _, body = request(srv, 'URL/resources')
      assert.same({ cpu = 8, memory = 16 }, body)
    end)
  end)
  describe("/v1", function()
    before_each(function()
      srv = start(config({ { "seed", "seed.xml" }, { "small", "small.xml" } }))
    end)

    it("lists hosts and gets one, with capacity, use and VMs in pool units", function()
      local code, body = request(srv, 'URL/v1/hosts')
      assert.equal(200, code)
      assert.equal(2, #body.hosts)
      assert.equal("seed", body.hosts[1].name)
      local small = body.hosts[2]
      assert.equal("small", small.name)
      assert.equal("up", small.state)
      assert.same({ cpu = 8, memory = 16384, disk = 0, network = 0 }, small.capacity)
      assert.same({ cpu = 2, memory = 2048, disk = 0, network = 0 }, small.used)
      assert.same({ cpu = 6, memory = 14336, disk = 0, network = 0 }, small.free)
      assert.same({ "web1" }, small.vms)
      code, body = request(srv, 'URL/v1/hosts/small')
      assert.equal(200, code)
      assert.same(small.vms, body.vms)
      code, body = request(srv, 'URL/v1/hosts/nope')
      assert.equal(404, code)
      assert.same({ error = "unknown host", detail = "no host called 'nope'" }, body)
      code, body = request(srv, '-X DELETE URL/v1/hosts')
      assert.equal(405, code)
      code = request(srv, '-X POST URL/v1/hosts/seed/reboot')
      assert.equal(404, code)
    end)

    it("drains a host: placement skips it, its VMs are planned away; undrain puts it back", function()
      local code, body = request(srv, '-X POST URL/v1/hosts/small/drain')
      assert.equal(200, code)
      assert.equal("draining", body.state)
      assert.same({ "web1" }, body.vms) -- the move is asynchronous (and the test driver refuses it)
      assert.matches("planned away through the migration executor", body.evacuation, 1, true)
      code, body = request(srv, '-X POST -F vm_name=a -F cpu=1 -F memory=1 URL/allocate')
      assert.equal("seed", body.host)
      code, body = request(srv, '-X POST URL/v1/hosts/seed/drain')
      code, body = request(srv, '-X POST -F vm_name=b -F cpu=1 -F memory=1 URL/allocate')
      assert.equal(409, code)
      assert.equal("insufficient capacity", body.error)
      code, body = request(srv, 'URL/resources')
      assert.same({ cpu = 0, memory = 0 }, body) -- draining hosts offer nothing
      code, body = request(srv, '-X POST URL/v1/hosts/small/undrain')
      assert.equal(200, code)
      assert.equal("up", body.state)
      code, body = request(srv, '-X POST -F vm_name=b -F cpu=1 -F memory=1 URL/allocate')
      assert.equal(201, code)
      assert.equal("small", body.host)
      code = request(srv, 'URL/v1/hosts/small/drain')
      assert.equal(405, code)
    end)

    it("creates, lists, gets and deletes VMs", function()
      local code, body = request(srv, [[-X POST -H 'Content-Type: application/json' -d '{"name": "db", "vcpus": 2, "memory": 1024}' URL/v1/vms]])
      assert.equal(201, code)
      assert.equal("db", body.name)
      assert.equal("running", body.state)
      assert.same({ cpu = 2, memory = 1024, disk = 0, network = 0 }, body.size)
      code, body = request(srv, [[-X POST -d '{"name": "t1", "template": "small"}' URL/v1/vms]])
      assert.equal(201, code)
      assert.same({ cpu = 1, memory = 512, disk = 0, network = 0 }, body.size)
      code, body = request(srv, [[-X POST -d '{"name": "t2", "template": "small", "vcpus": 3}' URL/v1/vms]])
      assert.same({ cpu = 3, memory = 512, disk = 0, network = 0 }, body.size)
      code, body = request(srv, 'URL/v1/vms')
      assert.equal(200, code)
      local names = {}
      for _, v in ipairs(body.vms) do names[#names + 1] = v.name end
      assert.same({ "web1", "db", "t1", "t2" }, names)
      code, body = request(srv, '"URL/v1/vms?host=small&state=running"')
      assert.equal(200, code)
      for _, v in ipairs(body.vms) do assert.equal("small", v.host) end
      code, body = request(srv, 'URL/v1/vms/db')
      assert.equal(200, code)
      assert.equal("db", body.name)
      code, body = request(srv, '-X DELETE URL/v1/vms/db')
      assert.equal(200, code)
      assert.equal("deleted", body.status)
      assert.equal("db", body.name)
      code, body = request(srv, 'URL/v1/vms/db')
      assert.equal(404, code)
      code, body = request(srv, '-X DELETE URL/v1/vms/db')
      assert.equal(404, code)
      assert.same({ error = "unknown VM", detail = "no VM called 'db'" }, body)
    end)

    it("refuses bad VM requests with 4xx, changing nothing", function()
      local cases = {
        { [[-d '{"name": "x", "vcpus": 2}']], 400, "give vcpus and memory" },
        { [[-d '{"name": "x", "vcpus": 0, "memory": 1}']], 400, "vcpus must be an integer >= 1" },
        { [[-d '{"name": "x", "vcpus": 1.5, "memory": 1}']], 400, "vcpus must be an integer" },
        { [[-d '{"name": "x", "template": "huge"}']], 400, "template must name one of" },
        { [[-d '{"name": "x", "vcpus": 1, "memory": 1, "disk": 3}']], 400, "unknown field 'disk'" },
        { [[-d '{"vcpus": 1, "memory": 1}']], 400, "name must be a string" },
        { [[-d '{"name": "x",']], 400, "the body is not JSON" },
        { [[-d '[1]']], 400, "expected a JSON object" },
        { [[-d '{"name": "web1", "vcpus": 1, "memory": 1}']], 409, "a VM called 'web1' already exists" },
        { [[-d '{"name": "x", "vcpus": 64, "memory": 1}']], 409, "no host has room" },
      }
      local _, before = request(srv, 'URL/v1/vms')
      for _, c in ipairs(cases) do
        local code, body = request(srv, "-X POST " .. c[1] .. " URL/v1/vms")
        assert.equal(c[2], code, c[1])
        assert.matches(c[3], body.detail, 1, true)
      end
      local _, after = request(srv, 'URL/v1/vms')
      assert.same(before, after)
      local code = request(srv, '-X PUT URL/v1/vms/web1')
      assert.equal(405, code)
    end)

    it("migrates a VM to a given host through the migration executor", function()
      local code, body = request(srv, [[-X POST -d '{"to": "seed"}' URL/v1/vms/web1/migrate]])
      assert.equal(202, code)
      assert.equal("accepted", body.status)
      assert.equal("web1", body.vm.name)
      -- the test driver cannot migrate: the executor reports libvirt's refusal
      -- and the VM stays on its source
      local failed
      for _ = 1, 40 do
        _, body = request(srv, '"URL/v1/decisions?vm=web1&event=migration_failed"')
        failed = body.decisions[1]
        if failed then break end
        sleep(0.05)
      end
      assert.is_table(failed)
      assert.equal("seed", failed.to)
      assert.matches("migration is not supported", failed.reason, 1, true)
      code, body = request(srv, '"URL/v1/decisions?vm=web1&event=migration_started"')
      assert.matches("requested through the API", body.decisions[1].reason, 1, true)
      code, body = request(srv, 'URL/v1/vms/web1')
      assert.equal("running", body.state)
      assert.equal("small", body.host)
      local cases = {
        { [['{"to": "small"}' URL/v1/vms/web1/migrate]], 409, "already on host 'small'" },
        { [['{"to": "nope"}' URL/v1/vms/web1/migrate]], 404, "no host called 'nope'" },
        { [['{"to": "seed"}' URL/v1/vms/ghost/migrate]], 404, "no VM called 'ghost'" },
        { [['nope' URL/v1/vms/web1/migrate]], 400, "the body is not JSON" },
      }
      for _, c in ipairs(cases) do
        code, body = request(srv, "-X POST -d " .. c[1])
        assert.equal(c[2], code, c[1])
        assert.matches(c[3], body.detail, 1, true)
      end
      code = request(srv, 'URL/v1/vms/web1/migrate')
      assert.equal(405, code)
      -- no destination: the placement policy chooses among the other hosts
      code, body = request(srv, [[-X POST -d '{}' URL/v1/vms/web1/migrate]])
      assert.equal(202, code)
      assert.equal("seed", body.to)
      request(srv, '-X POST URL/v1/hosts/seed/drain')
      code, body = request(srv, [[-X POST -d '{}' URL/v1/vms/web1/migrate]])
      assert.equal(409, code)
      assert.equal("no other host has room for VM 'web1'", body.detail)
    end)

    it("keeps recent decisions, filtered by slot, vm, event and since", function()
      assert.equal(201, (request(srv, '-X POST -F vm_name=a -F cpu=1 -F memory=1 URL/allocate')))
      assert.equal(409, (request(srv, '-X POST -F vm_name=b -F cpu=64 -F memory=1 URL/allocate')))
      local code, body = request(srv, '"URL/v1/decisions?vm=a"')
      assert.equal(200, code)
      assert.equal(1, #body.decisions)
      local d = body.decisions[1]
      assert.equal("placed", d.event)
      assert.equal("placement", d.slot)
      assert.equal("best-fit", d.policy)
      assert.matches("^%x+$", d.version)
      assert.equal("small", d.host)
      assert.is_number(d.latency_ms)
      assert.matches("best fit on small", d.reason, 1, true)
      code, body = request(srv, '"URL/v1/decisions?event=unplaced"')
      assert.equal("b", body.decisions[1].vm)
      assert.equal("no host has room", body.decisions[1].reason)
      code, body = request(srv, '"URL/v1/decisions?slot=placement&limit=1"')
      assert.equal(1, #body.decisions)
      assert.equal("a", body.decisions[1].vm)
      local seq = body.decisions[1].seq
      code, body = request(srv, '"URL/v1/decisions?vm=a&since=' .. seq .. '"')
      assert.same({}, body.decisions)
      assert.is_true(body.total >= 2 and body.kept == body.total)
      code, body = request(srv, '"URL/v1/decisions?limit=0"')
      assert.equal(400, code)
      assert.matches("limit must be an integer", body.detail, 1, true)
      code = request(srv, '-X DELETE URL/v1/decisions')
      assert.equal(405, code)
    end)

    it("shows policy status and reloads, refusing a broken script with its line", function()
      local code, body = request(srv, 'URL/v1/policies')
      assert.equal(200, code)
      assert.equal(4, #body.policies)
      local p = body.policies[1]
      assert.equal("placement", p.slot)
      assert.equal("best-fit", p.name)
      assert.matches("^%x+$", p.version)
      assert.equal("reservation", body.policies[3].slot)
      assert.equal("none", body.policies[3].name)
      code, body = request(srv, '-X POST URL/v1/policies/reload')
      assert.equal(200, code)
      assert.equal("ok", body.status)
      for _, r in ipairs(body.results) do assert.equal("unchanged", r.outcome) end
      code = request(srv, 'URL/v1/policies/reload')
      assert.equal(405, code)
    end)
  end)

  it("reloads through /v1/policies/reload and reports a failing script", function()
    local dir = config({ { "seed", "seed.xml" } })
    write(dir .. "/place.lua", "return { name = 'one', place = function(vm, hosts) return hosts[1], 'one' end }\n")
    local cfg = read(dir .. "/serve.json"):gsub('"policies": {', '"policies": {"placement": "place.lua", ')
    write(dir .. "/serve.json", cfg)
    srv = start(dir)
    write(dir .. "/place.lua", "return { name = 'two', place = function(vm, hosts) return hosts[1], 'two' end }\n")
    local code, body = request(srv, '-X POST URL/v1/policies/reload')
    assert.equal(200, code)
    assert.equal("two", body.results[1].name) -- by this request, or the file watcher just before
    assert.is_true(body.results[1].outcome == "reloaded" or body.results[1].outcome == "unchanged")
    write(dir .. "/place.lua", "return { name = 'three', place = function(vm, hosts) return hosts[1] +\n end }\n")
    code, body = request(srv, '-X POST URL/v1/policies/reload')
    assert.equal(422, code)
    assert.equal("failed", body.status)
    assert.equal("failed", body.results[1].outcome)
    assert.equal("two", body.results[1].name) -- the running version stays
    assert.matches("place.lua:2:", body.results[1].error, 1, true)
    code, body = request(srv, '-X POST -F vm_name=a -F cpu=1 -F memory=1 URL/allocate')
    assert.equal(201, code)
  end)

  it("lists waiting migrations, cancels one, and shows reservations", function()
    srv = start(config({ { "seed", "seed.xml" }, { "small", "small.xml" } }, nil,
      '"migration": "' .. API_DATA .. '/later.lua"'))
    local code, body = request(srv, [[-X POST -d '{"to": "seed"}' URL/v1/vms/web1/migrate]])
    assert.equal(202, code)
    assert.equal("running", body.vm.state) -- the policy said: later
    -- the migration slot's dry run says what this policy says: later
    code, body = request(srv, [[-X POST -d '{"vm": "web1", "to": "seed", "why": "test"}' URL/v1/policies/migration/dry-run]])
    assert.equal(200, code)
    assert.equal("later", body.policy)
    assert.equal("later", body.when)
    assert.equal(60, body.delay_s)
    assert.equal("not now", body.reason)
    code, body = request(srv, 'URL/v1/migrations')
    assert.equal(200, code)
    assert.equal(1, #body.migrations)
    local m = body.migrations[1]
    assert.equal("web1", m.vm)
    assert.equal("small", m.from)
    assert.equal("seed", m.to)
    assert.equal("waiting", m.state)
    assert.equal("requested through the API", m.why)
    assert.equal(1, m.asked)
    assert.near(m.proposed + 60, m.not_before, 1e-3)
    code, body = request(srv, '-X DELETE URL/v1/migrations/web1')
    assert.equal(200, code)
    assert.same({ status = "cancelled", vm = "web1" }, body)
    code, body = request(srv, 'URL/v1/migrations')
    assert.same({}, body.migrations)
    code, body = request(srv, '"URL/v1/decisions?vm=web1&event=migration_dropped"')
    assert.equal("cancelled through the API", body.decisions[1].reason)
    code, body = request(srv, '-X DELETE URL/v1/migrations/web1')
    assert.equal(404, code)
    assert.equal("VM 'web1' has no migration queued", body.detail)
    code, body = request(srv, '-X DELETE URL/v1/migrations/ghost')
    assert.equal(404, code)
    -- the CLI withdraws a waiting one too
    assert.equal(202, (request(srv, [[-X POST -d '{"to": "seed"}' URL/v1/vms/web1/migrate]])))
    local rc, out = client(srv, "migration abort web1")
    assert.equal(0, rc)
    assert.equal("migration of web1: cancelled\n", out)
    code = request(srv, '-X POST URL/v1/migrations')
    assert.equal(405, code)
    -- the shipped reservation policy: 10 % of each host, the busiest host's use for the pool
    for _ = 1, 40 do
      _, body = request(srv, 'URL/v1/reservations')
      if body.pool.cpu > 0 then break end
      sleep(0.05)
    end
    assert.same({ cpu = 2, memory = 2048, disk = 0, network = 0 }, body.pool)
    assert.equal("seed", body.hosts[1].host)
    assert.same({ cpu = 0.8, memory = 1638.4, disk = 0, network = 0 }, body.hosts[1].reserved)
    code = request(srv, '-X POST URL/v1/reservations')
    assert.equal(405, code)
  end)

  -- Simulated hosts with a slow network (10 Mbit/s: a 613 MiB VM takes
  -- about 980 s to migrate) and a balance policy that moves one VM once.
  local function sim_config()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    write(dir .. "/serve.json", string.format([[{
      "host_types": [{"name": "g4", "cpu": 3720, "memory": 4096, "network": 10}],
      "hosts": [{"type": "g4", "count": 3, "name": "h%%d"}],
      "vm_types": [{"name": "small", "cpu": 500, "memory": 613}],
      "intervals": {"sample": 0.2, "balance": 0.3, "reservation": 0.5},
      "policies": {"balance": "%s/move_once.lua"},
      "simulation": {"trace": "%s/../../../examples/traces/20110303", "step": 0.1, "max_vms": 4}
    }]], DATA, DATA))
    return dir
  end

  it("aborts a running migration on request; the outcome is a migration_failed event", function()
    srv = start(sim_config())
    local code, body, m
    for _ = 1, 60 do
      _, body = request(srv, 'URL/v1/migrations')
      m = body.migrations[1]
      if m and m.state == "running" then break end
      sleep(0.05)
    end
    assert.equal("running", m.state)
    local rc, out, err = client(srv, "migration list")
    assert.equal(0, rc)
    assert.matches("^VM%s+FROM%s+TO%s+STATE%s+WHY\n", out)
    assert.matches(m.vm:gsub("%p", "%%%0") .. "%s+" .. m.from .. "%s+" .. m.to .. "%s+running%s+test: move once", out)
    code, body = request(srv, '-X DELETE URL/v1/migrations/' .. m.vm)
    assert.equal(202, code)
    assert.same({ status = "aborting", vm = m.vm, from = m.from, to = m.to,
      outcome = "reported as a migration_failed event (GET /v1/decisions)" }, body)
    local failed
    for _ = 1, 40 do
      _, body = request(srv, '"URL/v1/decisions?event=migration_failed&vm=' .. m.vm .. '"')
      failed = body.decisions[1]
      if failed then break end
      sleep(0.05)
    end
    assert.is_table(failed)
    assert.equal("aborted on request", failed.reason)
    assert.equal(m.from, failed.host)
    assert.equal(m.to, failed.to)
    _, body = request(srv, 'URL/v1/vms/' .. m.vm)
    assert.equal("running", body.state)
    assert.equal(m.from, body.host) -- the VM stays on its source
    _, body = request(srv, 'URL/v1/migrations')
    assert.same({}, body.migrations)
    code, body = request(srv, '-X DELETE URL/v1/migrations/' .. m.vm)
    assert.equal(404, code)
    rc, out, err = client(srv, "migration abort " .. m.vm)
    assert.equal(1, rc)
    assert.equal("vmpilot: HTTP 404: no migration: VM '" .. m.vm .. "' has no migration queued\n", err)
    local text = sh(string.format("curl -s %s/metrics", srv.base))
    assert.equal(1, metric(parse_metrics(text), "vmpilot_migrations_total", { outcome = "failed" }))
  end)

  it("appends every decision, with inputs, result, reason and latency, to api.decision_log", function()
    local dir = config({ { "seed", "seed.xml" }, { "small", "small.xml" } },
      ', "api": {"decision_log": "decisions.jsonl"}')
    srv = start(dir)
    assert.equal(201, (request(srv, '-X POST -F vm_name=a -F cpu=2 -F memory=4 URL/allocate')))
    assert.equal(202, (request(srv, [[-X POST -d '{"to": "seed"}' URL/v1/vms/web1/migrate]])))
    local entries, by
    for _ = 1, 100 do -- until a balance and a reservation round were logged
      entries, by = {}, {}
      for line in read(dir .. "/decisions.jsonl"):gmatch("[^\n]+") do
        local d = assert(json.decode(line), line)
        entries[#entries + 1] = d
        by[d.event] = by[d.event] or d
      end
      if by.balanced and by.reserved and by.migration_started then break end
      sleep(0.05)
    end
    local _, api = request(srv, '"URL/v1/decisions?limit=4096"')
    assert.is_true(#entries >= 4)
    for i, d in ipairs(entries) do
      assert.equal(i, d.seq) -- every entry, in order
      assert.is_number(d.t)
    end
    local p = by.placed
    assert.equal("placement", p.slot)
    assert.equal("best-fit", p.policy)
    assert.matches("^%x+$", p.version)
    assert.is_number(p.latency_ms)
    assert.same({ vm = "a", size = { cpu = 2, memory = 4096, disk = 0, network = 0 }, candidates = 2 }, p.inputs)
    assert.same({ host = "small" }, p.result)
    assert.matches("best fit on small", p.reason, 1, true)
    local b = by.balanced
    assert.equal("threshold", b.policy)
    assert.same({ hosts = 2, vms = 2 }, b.inputs)
    assert.same({ moves = {} }, b.result)
    assert.equal("0 moves proposed", b.reason)
    local r = by.reserved
    assert.equal("reservation", r.slot)
    assert.equal(2, r.inputs.hosts)
    assert.same({ cpu = 16, memory = 32768, disk = 0, network = 0 }, r.inputs.capacity)
    assert.same({ cpu = 0, memory = 0, disk = 0, network = 0 }, r.result.pool)
    assert.is_string(r.reason)
    local m = by.migration_started
    assert.equal("migration", m.slot)
    assert.equal("limits", m.policy)
    assert.same({ vm = "web1", from = "small", to = "seed", proposed_by = "requested through the API", asked = 0 }, m.inputs)
    assert.same({ when = "now" }, m.result)
    assert.is_number(m.latency_ms)
    -- the ring has the same entries (the API prints 15 significant digits, the file 17)
    local first = api.decisions[1]
    assert.near(entries[1].t, first.t, 1e-3)
    first.t, first.latency_ms, entries[1].t, entries[1].latency_ms = nil, nil, nil, nil
    assert.same(first, entries[1])
    stop(srv)
    srv = nil
    -- a log folder that does not exist is a config error with file:line:column
    dir = config({ { "seed", "seed.xml" } }, ', "api": {"decision_log": "nowhere/d.jsonl"}')
    local out = sh(string.format("%s serve --listen 127.0.0.1:0 --duration 1 %s/serve.json 2>&1; echo rc=$?", VMPILOT, dir))
    assert.matches("serve.json:%d+:%d+: field 'api.decision_log': folder not found: .*/nowhere", out)
    assert.matches("rc=3", out, 1, true)
    os.execute("rm -rf " .. dir)
  end)

  it("dry-runs every slot (placement, balance, reservation, migration) without acting", function()
    srv = start(config({ { "seed", "seed.xml" }, { "small", "small.xml" } }, nil,
      '"reservation": "' .. API_DATA .. '/no_reserve.lua", "balance": "' .. API_DATA .. '/move_web1.lua"'))
    local code, body = request(srv, [[-X POST -d '{"vcpus": 2, "memory": 1024}' URL/v1/policies/placement/dry-run]])
    assert.equal(200, code)
    assert.equal("placement", body.slot)
    assert.equal("best-fit", body.policy)
    assert.equal("small", body.host)
    assert.matches("best fit on small", body.reason, 1, true)
    local raw
    code, body, raw = request(srv, [[-X POST -d '{"vcpus": 64, "memory": 1024}' URL/v1/policies/placement/dry-run]])
    assert.equal(200, code)
    assert.matches('"host": null', raw, 1, true)
    assert.equal("no host has room", body.reason)
    code, body = request(srv, [[-X POST -d '{"template": "small"}' URL/v1/policies/placement/dry-run]])
    assert.equal("small", body.host)
    code, body = request(srv, [[-X POST -d '{"vcpus": 0}' URL/v1/policies/placement/dry-run]])
    assert.equal(400, code)
    code, body = request(srv, '-X POST URL/v1/policies/balance/dry-run')
    assert.equal(200, code)
    assert.equal("move-web1", body.policy)
    assert.same({ { vm = "web1", to = "seed", why = "test move" } }, body.moves)
    assert.is_true(body.valid)
    code, body = request(srv, '-X POST URL/v1/policies/reservation/dry-run')
    assert.equal(200, code)
    assert.same({ slot = "reservation", policy = "none", version = body.version, valid = true,
      reason = "nothing held back", pool = { cpu = 0, memory = 0, disk = 0, network = 0 },
      hosts = { { host = "seed", reserved = { cpu = 0, memory = 0, disk = 0, network = 0 } },
        { host = "small", reserved = { cpu = 0, memory = 0, disk = 0, network = 0 } } } }, body)
    code, body = request(srv, [[-X POST -d '{"vm": "web1", "to": "seed"}' URL/v1/policies/migration/dry-run]])
    assert.equal(200, code)
    assert.equal("migration", body.slot)
    assert.equal("limits", body.policy)
    assert.equal("web1", body.vm)
    assert.equal("small", body.from)
    assert.equal("seed", body.to)
    assert.equal("now", body.when)
    assert.is_nil(body.delay_s)
    assert.is_string(body.reason)
    local cases = {
      { [['{"vm": "web1", "to": "small"}']], 409, "is already on host 'small'" },
      { [['{"vm": "ghost", "to": "seed"}']], 404, "no VM called 'ghost'" },
      { [['{"vm": "web1", "to": "nope"}']], 404, "no host called 'nope'" },
      { [['{"to": "seed"}']], 400, "give the move as" },
      { [['{"vm": "web1", "to": "seed", "why": 3}']], 400, "give the move as" },
    }
    for _, c in ipairs(cases) do
      code, body = request(srv, "-X POST -d " .. c[1] .. " URL/v1/policies/migration/dry-run")
      assert.equal(c[2], code, c[1])
      assert.matches(c[3], body.detail, 1, true)
    end
    code, body = request(srv, '-X POST URL/v1/policies/timing/dry-run')
    assert.equal(404, code)
    assert.matches("placement, balance, reservation and migration", body.detail, 1, true)
    code = request(srv, 'URL/v1/policies/balance/dry-run')
    assert.equal(405, code)
    -- nothing happened: no VM added, no migration queued, nothing recorded
    code, body = request(srv, 'URL/v1/vms')
    assert.equal(1, #body.vms)
    code, body = request(srv, 'URL/v1/migrations')
    assert.same({}, body.migrations)
    code, body = request(srv, '"URL/v1/decisions?slot=placement"')
    assert.same({}, body.decisions)
    code, body = request(srv, '"URL/v1/decisions?slot=migration&limit=4096"')
    for _, d in ipairs(body.decisions) do -- the balance policy's own moves only
      assert.equal("test move", d.inputs and d.inputs.proposed_by or "test move")
    end
    _, body = request(srv, 'URL/v1/reservations')
    assert.same({ cpu = 0, memory = 0, disk = 0, network = 0 }, body.hosts[1].reserved)
  end)

  describe("the CLI client", function()
    local function cli(args)
      local err = os.tmpname()
      local out = sh(string.format("%s %s --api %s 2>%s; echo \"rc=$?\"", VMPILOT, args, srv.base, err))
      local e = read(err)
      os.remove(err)
      local body, rc = out:match("^(.*)rc=(%d+)\n$")
      return tonumber(rc), body, e
    end

    before_each(function()
      srv = start(config({ { "seed", "seed.xml" }, { "small", "small.xml" } }))
    end)

    it("creates, lists, migrates and deletes VMs, with tables and --json", function()
      local rc, out = cli("vm create db --vcpus 2 --memory 1024")
      assert.equal(0, rc)
      assert.equal("created db on small\n", out)
      rc, out = cli("vm create t1 --template small")
      assert.equal("created t1 on small\n", out)
      rc, out = cli("vm list")
      assert.equal(0, rc)
      local rows = {}
      for l in out:gmatch("[^\n]+") do rows[#rows + 1] = l end
      assert.matches("^NAME%s+STATE%s+HOST%s+CPU%s+MEMORY_MIB$", rows[1])
      assert.matches("^db%s+running%s+small%s+2%s+1024$", rows[3])
      assert.equal(4, #rows)
      rc, out = cli("vm list --state running --host small --json")
      assert.equal(3, #json.decode(out).vms)
      rc, out = cli("vm migrate web1 --to seed")
      assert.equal(0, rc)
      assert.equal("migration of web1 to seed accepted\n", out)
      rc, out = cli("vm delete db")
      assert.equal("deleted db\n", out)
      local err
      rc, out, err = cli("vm delete db")
      assert.equal(1, rc)
      assert.equal("vmpilot: HTTP 404: unknown VM: no VM called 'db'\n", err)
      rc, out, err = cli("vm create big --vcpus 64 --memory 1")
      assert.equal(1, rc)
      assert.matches("HTTP 409: insufficient capacity", err, 1, true)
      rc, out, err = cli("vm migrate web1") -- the placement policy chooses: the only other host
      assert.equal(0, rc)
      assert.equal("migration of web1 to seed accepted\n", out)
      rc, out, err = cli("vm frob x")
      assert.equal(2, rc)
    end)

    it("lists and drains hosts, shows policies and decisions", function()
      local rc, out = cli("host list")
      assert.equal(0, rc)
      assert.matches("small%s+up%s+2/8%s+2048/16384%s+1", out)
      rc, out = cli("host drain seed")
      assert.equal("seed is draining\n", out)
      rc, out = cli("host undrain seed")
      assert.equal("seed is up\n", out)
      rc, out = cli("policy status")
      assert.equal(0, rc)
      assert.matches("placement%s+best%-fit%s+%x+%s+%d+%s+0%s+%-", out)
      assert.matches("reservation%s+none", out)
      -- reload through the API: nothing changed, every slot unchanged
      rc, out = cli("policy reload")
      assert.equal(0, rc)
      assert.matches("SLOT%s+POLICY%s+VERSION%s+OUTCOME", out)
      local unchanged = select(2, out:gsub("unchanged", ""))
      assert.equal(4, unchanged)
      rc, out = cli("policy reload --json")
      assert.equal("ok", json.decode(out).status)
      cli("vm create a --vcpus 1 --memory 1")
      rc, out = cli("decisions --slot placement --limit 1")
      assert.equal(0, rc)
      assert.matches("placed%s+placement%s+a%s+small%s+best fit on small", out)
      rc, out = cli("decisions --vm a --json")
      assert.equal("placed", json.decode(out).decisions[1].event)
    end)

    it("fails clearly when the server cannot be reached", function()
      local out = sh(VMPILOT .. " vm list --api http://127.0.0.1:1 2>&1; echo rc=$?")
      assert.matches("http://127.0.0.1:1/v1/vms: Couldn't connect to server", out, 1, true)
      assert.matches("rc=1", out, 1, true)
    end)
  end)

  it("creates a VM from its type's domain XML template; a template libvirt refuses leaves nothing behind", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir .. "/tmpl"))
    write(dir .. "/tmpl/web.xml", [[
<domain type='{{domain_type}}'><name>{{name}}</name><uuid>{{uuid}}</uuid>
  <description>web {{name}}</description>
  <memory unit='KiB'>{{memory_kib}}</memory><vcpu>{{vcpus}}</vcpu><os><type>hvm</type></os>
  <devices><disk type='file' device='disk'><source file='/img/{{name}}.qcow2'/>
  <target dev='vda' bus='virtio'/></disk></devices>
</domain>
]])
    write(dir .. "/tmpl/broken.xml", "<domain type='{{domain_type}}'><name>{{name}}</name>"
      .. "<memory unit='MiB'>{{memory_mib}}</memory><vcpu>{{vcpus}}</vcpu><devices>\n")
    local types = '{"name": "web", "cpu": 2, "memory": 1024, "domain_xml": "tmpl/web.xml"}, '
      .. '{"name": "broken", "cpu": 1, "memory": 512, "domain_xml": "tmpl/broken.xml"}, '
      .. '{"name": "small", "cpu": 1, "memory": 512}'
    local cfg = config({ { "seed", "seed.xml" } }, nil, nil, types)
    os.execute(string.format("cp -r %s/tmpl %s/ && rm -rf %s", dir, cfg, dir))
    srv = start(cfg)
    local code, body = request(srv, [[-X POST -d '{"name": "w1", "template": "web"}' URL/v1/vms]])
    assert.equal(201, code)
    assert.equal("running", body.state)
    assert.equal("web", body.template)
    assert.same({ cpu = 2, memory = 1024, disk = 0, network = 0 }, body.size)
    code, body = request(srv, 'URL/v1/vms/w1')
    assert.equal("web", body.template)
    code, body = request(srv, [[-X POST -d '{"name": "b1", "template": "broken"}' URL/v1/vms]])
    assert.equal(502, code)
    assert.equal("hypervisor refused", body.error)
    assert.matches("b1: ", body.detail, 1, true)
    code, body = request(srv, 'URL/v1/vms')
    assert.equal(1, #body.vms)
    assert.equal("w1", body.vms[1].name)
    -- nothing was left defined in libvirt: the name is free for a plain VM
    code, body = request(srv, [[-X POST -d '{"name": "b1", "template": "small"}' URL/v1/vms]])
    assert.equal(201, code)
    assert.equal("small", body.template)
    code, body = request(srv, '-X DELETE URL/v1/vms/w1')
    assert.equal(200, code)
    code, body = request(srv, [[-X POST -d '{"name": "w1", "template": "web"}' URL/v1/vms]])
    assert.equal(201, code)
    code, body = request(srv, '"URL/v1/decisions?event=unplaced&vm=b1"')
    assert.equal(1, #body.decisions)
    assert.matches("b1: ", body.decisions[1].reason, 1, true)
  end)

  it("deletes a VM left pending (vm_unfit) together with its running domain", function()
    local dir = config({})
    write(dir .. "/tiny.xml", [[<node><cpu><mhz>2000</mhz><model>i686</model><active>2</active>
<nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads></cpu>
<memory>4194304</memory><domain type='test'><name>huge1</name><memory unit='MiB'>1024</memory>
<vcpu>4</vcpu><os><type>hvm</type></os></domain></node>
]])
    local text = read(dir .. "/serve.json"):gsub('"hosts": %[%]',
      '"hosts": [{"name": "tiny", "uri": "test://' .. dir .. '/tiny.xml"}]')
    write(dir .. "/serve.json", text)
    srv = start(dir)
    local code, body = request(srv, 'URL/v1/vms/huge1')
    assert.equal(200, code)
    assert.equal("pending", body.state)
    assert.matches('"event":"vm_unfit","host":"tiny"', read(dir .. "/log"), 1, true)
    code, body = request(srv, '-X DELETE URL/v1/vms/huge1')
    assert.equal(200, code)
    assert.equal("deleted", body.status)
    code = request(srv, 'URL/v1/vms/huge1')
    assert.equal(404, code)
    -- the domain is gone from libvirt: a new VM of that name is defined and starts there
    code, body = request(srv, [[-X POST -d '{"name": "huge1", "vcpus": 1, "memory": 512}' URL/v1/vms]])
    assert.equal(201, code, body and body.detail)
    assert.equal("tiny", body.host)
    assert.same({ cpu = 1, memory = 512, disk = 0, network = 0 }, body.size)
  end)

  it("needs the bearer token when one is configured", function()
    srv = start(config({ { "seed", "seed.xml" } }, ', "api": {"token": "s3cret"}'))
    local code, body = request(srv, 'URL/resources')
    assert.equal(401, code)
    assert.equal("unauthorized", body.error)
    code = request(srv, "-H 'Authorization: Bearer wrong' URL/resources")
    assert.equal(401, code)
    code, body = request(srv, "-H 'Authorization: Bearer s3cret' URL/resources")
    assert.equal(200, code)
    assert.same({ cpu = 8, memory = 16 }, body)
    local out = sh(string.format("%s vm list --api %s 2>&1; echo rc=$?", VMPILOT, srv.base))
    assert.matches("vmpilot: HTTP 401: unauthorized", out, 1, true)
    assert.matches("rc=1", out, 1, true)
    out = sh(string.format("VMPILOT_TOKEN=s3cret %s vm list --json --api %s", VMPILOT, srv.base))
    assert.same({ vms = {} }, json.decode(out))
  end)

  it("listens on a unix socket too", function()
    local dir = config({ { "seed", "seed.xml" } }, ', "api": {"unix_socket": "api.sock"}')
    srv = start(dir)
    local out = sh("curl -s --unix-socket " .. dir .. "/api.sock http://localhost/resources")
    assert.same({ cpu = 8, memory = 16 }, json.decode(out))
  end)

  -- ::1 on this machine, from the kernel's list of IPv6 addresses
  -- (/proc/net/if_inet6: the address as 32 hex digits first).
  local f6 = io.open("/proc/net/if_inet6")
  local has_v6 = f6 and ("\n" .. f6:read("a")):find("\n" .. ("0"):rep(31) .. "1 ", 1, true) ~= nil
  if f6 then f6:close() end
  if has_v6 then
    it("listens on [::1] and answers there; another IPv6 address needs the token", function()
      local dir = config({ { "seed", "seed.xml" } })
      srv = start(dir, nil, "[::1]")
      assert.equal("http://[::1]:" .. srv.port, srv.base)
      local code, body = request(srv, 'URL/resources')
      assert.equal(200, code)
      assert.same({ cpu = 8, memory = 16 }, body)
      local rc, out = client(srv, "vm list --json")
      assert.equal(0, rc)
      assert.same({ vms = {} }, json.decode(out))
      out = sh(string.format("%s serve --listen '[::]:0' --duration 1 %s/serve.json 2>&1; echo rc=$?", VMPILOT, dir))
      assert.matches("--listen: listening on [::]:0 (not loopback) needs a bearer token", out, 1, true)
      assert.matches("rc=2", out, 1, true)
    end)
  else
    io.stderr:write("api_spec: no IPv6 loopback (::1 not in /proc/net/if_inet6): the [::1] test is skipped\n")
    pending("listens on [::1]: skipped, this machine has no IPv6 loopback")
  end

  it("refuses a non-loopback --listen without a token, and a port in use", function()
    local dir = config({ { "seed", "seed.xml" } })
    local out = sh(string.format("%s serve --listen 0.0.0.0:0 --duration 1 %s/serve.json 2>&1; echo rc=$?", VMPILOT, dir))
    assert.matches("--listen: listening on 0.0.0.0:0 (not loopback) needs a bearer token", out, 1, true)
    assert.matches("rc=2", out, 1, true)
    srv = start(dir)
    out = sh(string.format("%s serve --listen 127.0.0.1:%s --duration 1 %s/serve.json 2>&1; echo rc=$?",
      VMPILOT, srv.port, dir))
    assert.matches("api: cannot listen on 127.0.0.1:" .. srv.port .. ": Address already in use", out, 1, true)
    assert.matches("rc=1", out, 1, true)
    out = sh(string.format("%s serve --listen nowhere %s/serve.json 2>&1; echo rc=$?", VMPILOT, dir))
    assert.matches("--listen: expected HOST:PORT", out, 1, true)
    assert.matches("rc=2", out, 1, true)
  end)
  it("serves /metrics in the Prometheus text format", function()
    srv = start(config({ { "seed", "seed.xml" }, { "small", "small.xml" } }))
    assert.equal(201, (request(srv, '-X POST -F vm_name=a -F cpu=2 -F memory=4 URL/allocate')))
    assert.equal(409, (request(srv, '-X POST -F vm_name=b -F cpu=64 -F memory=4 URL/allocate')))
    request(srv, '-X POST URL/v1/hosts/seed/drain') -- empty: no drain moves to wait for
    local headers = sh(string.format("curl -s -D - -o /dev/null %s/metrics", srv.base))
    assert.matches("Content-Type: text/plain; version=0.0.4", headers, 1, true)
    local text = sh(string.format("curl -s %s/metrics", srv.base))
    local m = parse_metrics(text)
    assert.equal("gauge", m.families.vmpilot_hosts.type)
    assert.equal("counter", m.families.vmpilot_decisions_total.type)
    for name, f in pairs(m.families) do
      assert.is_string(f.help, name)
      if f.type == "counter" then assert.matches("_total$", name) end
    end
    assert.equal(1, metric(m, "vmpilot_hosts", { state = "up" }))
    assert.equal(1, metric(m, "vmpilot_hosts", { state = "draining" }))
    assert.equal(0, metric(m, "vmpilot_hosts", { state = "down" }))
    assert.equal(2, metric(m, "vmpilot_vms", { state = "running" })) -- web1 and a
    assert.equal(0, metric(m, "vmpilot_vms", { state = "pending" })) -- b left nothing behind
    assert.equal(16, metric(m, "vmpilot_capacity", { resource = "cpu" }))
    assert.equal(32768, metric(m, "vmpilot_capacity", { resource = "memory" }))
    assert.equal(4, metric(m, "vmpilot_used", { resource = "cpu" }))
    assert.equal(2048 + 4096, metric(m, "vmpilot_used", { resource = "memory" }))
    assert.equal(0, metric(m, "vmpilot_reserved", { resource = "cpu" }))
    assert.equal(4, metric(m, "vmpilot_host_used", { host = "small", resource = "cpu" })) -- best fit
    assert.equal(0, metric(m, "vmpilot_host_used", { host = "seed", resource = "cpu" }))
    assert.equal(1, metric(m, "vmpilot_placements_total", { outcome = "placed" }))
    assert.equal(1, metric(m, "vmpilot_placements_total", { outcome = "unplaced" }))
    assert.equal(0, metric(m, "vmpilot_placements_total", { outcome = "retry_unplaced" }))
    assert.is_true(metric(m, "vmpilot_decisions_total", { slot = "placement" }) >= 1)
    assert.equal(0, metric(m, "vmpilot_policy_errors_total", { slot = "placement" }))
    assert.equal(0, metric(m, "vmpilot_migrations_total", { outcome = "failed" }))
    assert.equal(0, metric(m, "vmpilot_migrations_running"))
    -- histograms: cumulative buckets ending in +Inf = _count
    assert.equal("histogram", m.families.vmpilot_decision_latency_seconds.type)
    local placements = metric(m, "vmpilot_decisions_total", { slot = "placement" })
    assert.equal(placements, metric(m, "vmpilot_decision_latency_seconds_count", { slot = "placement" }))
    local prev = 0
    for _, s in ipairs(m.samples) do
      if s.name == "vmpilot_decision_latency_seconds_bucket" and s.labels.slot == "placement" then
        assert.is_true(s.value >= prev)
        prev = s.value
      end
    end
    assert.equal(placements, metric(m, "vmpilot_decision_latency_seconds_bucket", { slot = "placement", le = "+Inf" }))
    assert.is_true(metric(m, "vmpilot_decision_latency_seconds_sum", { slot = "placement" }) > 0)
    assert.equal(0, metric(m, "vmpilot_migration_duration_seconds_count", { outcome = "done" }))
  end)

  it("has a text-format parser that rejects what the grammar forbids", function()
    assert.has_error(function() parse_metrics("x 1\n") end) -- no TYPE
    assert.has_error(function() parse_metrics("# TYPE x gauge\nx{a=1} 1\n") end)
    assert.has_error(function() parse_metrics("# TYPE x gauge\nx one\n") end)
    assert.has_error(function() parse_metrics("# TYPE x gauge\n1x 1\n") end)
    assert.has_error(function() parse_metrics("# TYPE x gauge\nx 1") end)
    assert.has_error(function() parse_metrics("# TYPE h histogram\nh_bucket 1\n") end) -- no le
    assert.has_error(function() parse_metrics("# TYPE h gauge\nh_sum 1\n") end)
    local m = parse_metrics('# TYPE x gauge\nx{a="q\\"\\n",b="2"} +Inf 123\n')
    assert.equal('q"\n', m.samples[1].labels.a)
    assert.equal(math.huge, m.samples[1].value)
  end)
end)
