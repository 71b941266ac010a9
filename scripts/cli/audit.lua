-- cli.audit: `iamlua audit [options]` (DESIGN 1.5) — load the policies,
-- run the selected checks over the accounts, optionally plan and apply
-- remediations, print the findings, return the exit status:
--   0 every finding PASS, 1 some FAIL, 2 some ERROR (or, with --apply, a
--   write that failed), 252 usage, 255 anything else.
local aws = require "aws"
local argparse = require "cli.argparse"
local options = require "audit.options"
local discovery = require "audit.discovery"
local shipped = require "audit.shipped"
local engine = require "audit.engine"
local findings = require "audit.findings"
local accounts = require "audit.accounts"
local remediate = require "audit.remediate"
local progress = require "audit.progress"

local value = aws.value
local null = value.null
local ipairs, pairs, tostring, type, error = ipairs, pairs, tostring, type, error
local io_stderr, os_date, os_getenv = io.stderr, os.date, os.getenv

local HELP = [==[
usage: iamlua audit [--list] [--checks ID,...] [--exclude-checks ID,...]
                    [--severity informational|low|medium|high|critical]
                    [--status PASS|FAIL|ERROR ...] [--param ID.NAME=VALUE ...]
                    [--policies DIR ...] [--now ISO8601] [--concurrency N]
                    [--accounts ID,...] [--organization] [--role-name NAME]
                    [--remediate [--apply]] [--output FORMAT] [--query EXPR]
                    [global options: --profile --region --endpoint-url --debug ...]

Runs policy checks (the CIS AWS Foundations v3.0.0 IAM section, and your
policies/*.lua) against the account and prints one finding per resource.

  --list              the checks (id, severity, title, parameters)
  --checks, --exclude-checks
                      which checks run (comma-separated ids, repeatable)
  --severity LEVEL    only checks of this severity or higher
  --status STATUS     print only findings with this status (repeatable)
  --param ID.NAME=V   override a check's parameter (typed as its default)
  --policies DIR      more policy files (a shipped id is replaced)
  --now ISO8601       judge as of this time
  --concurrency N     requests in flight (default 16)
  --accounts IDS      audit these accounts through --role-name (default
                      OrganizationAccountAccessRole)
  --organization      audit every ACTIVE account of the organization
  --remediate         add the write calls that would fix each failure;
                      sends none. With --apply: send them, then check again.
  --output FORMAT     json text table yaml yaml-stream csv markdown html
                      ocsf junit sarif, or a user format

exit status: 0 all PASS, 1 some FAIL, 2 some ERROR (or a failed write with
--apply), 252 usage error, 255 anything else.
]==]

-- A trace line for --debug, dated like the CLI's log lines.
local function debug_writer(line)
    io_stderr:write(os_date("!%Y-%m-%d %H:%M:%S"), " - iamlua - DEBUG - ", line, "\n")
end

local function client_opts(host, g)
    return {
        profile = g.profile, region = g.region, endpoint_url = g.endpoint_url,
        verify_ssl = g.verify_ssl ~= false, ca_bundle = g.ca_bundle,
        sign = g.sign ~= false, connect_timeout = g.connect_timeout,
        read_timeout = g.read_timeout,
        user_agent = "iamlua/" .. host.versions().iamlua .. " audit",
        debug = g.debug and debug_writer or nil,
    }
end

-- The output format: --output, AWS_DEFAULT_OUTPUT, the profile's, json.
local function output_format(g, client)
    local fmt = g.output
    if not fmt then
        fmt = os_getenv("AWS_DEFAULT_OUTPUT")
        if fmt == "" then fmt = nil end
    end
    if not fmt and client then
        local pfmt, err = client:_setting("output")
        if err then error(err, 0) end
        fmt = pfmt
    end
    return fmt or "json"
end

local function print_data(host, g, data, fmt)
    if g.query_ast then data = require("cli.query").search(g.query_ast, g.query, data) end
    return require("cli.output").print(host, fmt, data, g, { name = "audit", operation = "Audit" })
end

-- --list: every check discovered (after --checks/--exclude/--severity),
-- then the CIS recommendations no policy covers.
local function list_checks(host, g, o, selected)
    local out = value.array({})
    for _, p in ipairs(selected) do
        local params = value.object()
        local names = {}
        for k in pairs(p.params or {}) do names[#names + 1] = k end
        table.sort(names)
        for _, k in ipairs(names) do params[k] = p.params[k] end
        local fw = value.object()
        for k, v in pairs(p.framework or {}) do fw[k] = v end
        out[#out + 1] = value.object("id", p.id, "title", p.title or "", "severity", p.severity,
            "framework", fw, "resource_type", p.resource_type or "Other", "params", params,
            "remediation", p.remediate ~= nil, "covered", true,
            "source", p.broken and (p.source .. " (did not load: " .. p.broken .. ")") or p.source or "shipped")
    end
    if not o.checks and not o.severity then
        for _, n in ipairs(shipped.not_covered) do
            local fw = value.object()
            for k, v in pairs(n.framework) do fw[k] = v end
            out[#out + 1] = value.object("id", n.id, "title", n.title, "severity", null,
                "framework", fw, "resource_type", null, "params", value.object(),
                "remediation", false, "covered", false, "source", "not covered: " .. n.why)
        end
    end
    return print_data(host, g, out, output_format(g, nil))
end

local function stats_line(report, t0, core)
    local s = report.stats
    io_stderr:write(("audit: %d requests, %d facts, %d cache hits saved %d requests, "
        .. "%d fetch rounds, %.2f s\n"):format(s.requests, s.facts, s.hits, s.saved, s.rounds,
        core.monotonic() - t0))
end

-- Attaches the first run's remediation records to the re-run's findings
-- of the same (check, account, resource); a remediated finding the re-run
-- no longer reports is kept as it was, with its outcome.
local function merge_rerun(first, rerun, affected)
    local by_key = {}
    for _, f in ipairs(rerun.findings) do
        by_key[f.policy.id .. "\0" .. tostring(f.account) .. "\0" .. f.resource] = f
    end
    local out = {}
    for _, f in ipairs(first.findings) do
        if not affected[f.policy.id] then out[#out + 1] = f end
    end
    for _, f in ipairs(rerun.findings) do out[#out + 1] = f end
    for _, f in ipairs(first.findings) do
        if affected[f.policy.id] and f.remediation then
            local g = by_key[f.policy.id .. "\0" .. tostring(f.account) .. "\0" .. f.resource]
            if g then
                g.remediation = f.remediation
            else
                f.message = f.message .. " (not reported when checked again)"
                out[#out + 1] = f
            end
        end
    end
    return findings.sort(out)
end

return function(host, g, rest)
    local core = require "aws.core"
    local t0 = core.monotonic()
    if #rest == 2 and (rest[2] == "help" or rest[2] == "--help") then
        io.stdout:write(HELP)
        return 0
    end
    local o = options.parse(rest, 2)
    local policies, by_id = discovery.load(o.policies)
    local selected = options.select(o, policies, by_id, shipped.not_covered)
    if o.list then return list_checks(host, g, o, selected) end
    local params = options.params(o, by_id)

    local copts = client_opts(host, g)
    local accts = accounts.resolve(copts, o)
    local fmt = output_format(g, accts[1].iam)
    local checked, cerr = accts[1].iam:_check()
    if not checked then error(cerr, 0) end

    local total_requests = function()
        local n = 0
        for _, a in ipairs(accts) do n = n + ((a.stats or {}).requests or 0) end
        return n
    end
    local prog = not g.debug and progress.new(total_requests) or nil
    local run_opts = {
        policies = selected, params = params, accounts = accts, now = o.now_epoch,
        concurrency = o.concurrency or 16, progress = prog, debug = g.debug,
    }
    local report = engine.run(run_opts)
    local list, rc = report.findings, nil
    if o.remediate then
        remediate.plan(report, run_opts)
        if o.apply then
            local failed, affected = remediate.apply(report, run_opts)
            local ids = {}
            for id in pairs(affected) do ids[#ids + 1] = id end
            if #ids > 0 then
                local rerun = engine.rerun(run_opts, affected)
                list = merge_rerun(report, rerun, affected)
            end
            if failed > 0 then rc = 2 end
        end
    end
    if prog then prog(nil) end
    if g.debug then stats_line(report, t0, core) end
    rc = rc or findings.exit_code(list)
    print_data(host, g, findings.to_array(list, { status = o.status, remediate = o.remediate }), fmt)
    return rc
end
