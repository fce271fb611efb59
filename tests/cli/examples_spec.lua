-- examples_spec.lua - the example configs of examples/ for libvirt hosts:
-- test-hosts.json (two libvirt test-driver hosts described by
-- examples/test-hosts/*.xml, named relative to the config) and lab.json
-- (the two-host lab of tests/lab/lab.sh) pass `vmpilot config check`
-- from any directory; test-hosts.json also serves, and creates a VM from
-- its domain XML template (examples/templates/web.xml); a test-driver file that
-- does not exist is a config error naming the field.
-- Needs VMPILOT and VP_DATA (tests/data/cli) in the environment.
local json = require "dkjson"

local C = require "tests.cli.helpers"
local VMPILOT = C.VMPILOT
local DATA = assert(os.getenv("VP_DATA"), "VP_DATA not set")
local EXAMPLES = DATA .. "/../../../examples"

-- Runs `cd dir && vmpilot args`; returns exit code, stdout, stderr.
local function run(dir, args)
  return C.run(args, "cd " .. dir .. " && ")
end

describe("examples", function()
  for _, name in ipairs({ "test-hosts.json", "lab.json" }) do
    it(name .. " passes config check, from any directory", function()
      for _, dir in ipairs({ EXAMPLES, "/" }) do
        local path = dir == "/" and EXAMPLES .. "/" .. name or name
        local code, out, err = run(dir, "config check " .. path)
        assert.equal(0, code, err)
        assert.matches("configuration OK: 2 libvirt hosts", out, 1, true)
      end
    end)
  end

  it("test-hosts.json serves its two test-driver hosts", function()
    local code, out, err = run("/", "serve --listen 127.0.0.1:0 --duration 1 " .. EXAMPLES .. "/test-hosts.json")
    assert.equal(0, code, err)
    local final = {}
    for l in out:gmatch("[^\n]+") do
      local o = assert(json.decode(l))
      if o.event == "vm_final" then final[o.vm] = o.host .. " " .. o.state end
      if o.event == "host_final" then final[o.host] = o.state end
      assert.not_equal("sample_failed", o.event)
    end
    assert.same({ small = "up", big = "up", web1 = "small running", batch1 = "big running" }, final)
  end)

  it("test-hosts.json creates a VM from examples/templates/web.xml (vm_types web)", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    assert(os.execute(string.format("cd / && %s serve --listen 127.0.0.1:0 --duration 3 %s/test-hosts.json > %s/log 2>&1 &",
      VMPILOT, EXAMPLES, dir)))
    local port
    for _ = 1, 100 do
      local f = io.open(dir .. "/log")
      port = f and f:read("a"):match('"api_listening","address":"127%.0%.0%.1:(%d+)"')
      if f then f:close() end
      if port then break end
      os.execute("sleep 0.05")
    end
    assert.truthy(port)
    local p = io.popen(string.format([[curl -s -X POST -d '{"name": "w1", "template": "web"}' http://127.0.0.1:%s/v1/vms]], port))
    local vm = json.decode(p:read("a"))
    p:close()
    os.execute("sleep 3.2; rm -rf " .. dir)
    assert.equal("w1", vm.name)
    assert.equal("running", vm.state)
    assert.equal("web", vm.template)
    assert.same({ cpu = 2, memory = 2048, disk = 0, network = 0 }, vm.size)
  end)

  it("a test-driver host file that does not exist is a config error", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    local f = io.open(dir .. "/c.json", "w")
    f:write('{"hosts": [{"name": "x", "uri": "test:nope.xml"}]}\n')
    f:close()
    local code, out, err = run(dir, "config check c.json")
    os.execute("rm -rf " .. dir)
    assert.equal(3, code)
    assert.equal("", out)
    assert.matches("c.json:1:33: field 'hosts[0].uri': test-driver host file not found: ", err, 1, true)
    assert.matches("nope.xml (No such file or directory)", err, 1, true)
  end)
end)
