-- cli.service: runs `iamlua SERVICE OPERATION [options]` from a command
-- declaration (commands/SERVICE/NAME.lua): parse its options, build and
-- validate the parameters, call, apply --query, format, print.
local aws = require "aws"
local argparse = require "cli.argparse"
local pystr = require "cli.pystr"
local value = aws.value

local require, pcall, type, ipairs, tostring = require, pcall, type, ipairs, tostring
local setmetatable = setmetatable
local io_stdout, io_stderr, os_date = io.stdout, io.stderr, os.date

local SERVICES = { iam = true }

-- fileb:// gives bytes (Python's bytes), which only blob parameters take.
local BYTES_MT = { __name = "aws.bytes", __jsontype = "bytes" }

-- Loads commands/SERVICE/NAME.lua (user directory first); nil when absent.
local function load_command(host, service, name)
    local ok, chunk = pcall(host.load, "commands." .. service .. "." .. name)
    if not ok then
        if tostring(chunk):find("not found", 1, true) then return nil end
        error(chunk, 0)
    end
    return chunk()
end

local function command_names(host, service)
    local out = {}
    for _, m in ipairs(host.list("commands." .. service .. ".")) do
        out[#out + 1] = m:sub(#service + 11)
    end
    return out
end

-- The option table of a command: its parameters plus the CLI's input and
-- skeleton options.
local function command_specs(cmd)
    local specs = {
        ["--cli-input-json"] = { name = "--cli-input-json", nargs = 1, dest = "cli_input_json" },
        ["--cli-input-yaml"] = { name = "--cli-input-yaml", nargs = 1, dest = "cli_input_yaml" },
        ["--generate-cli-skeleton"] = { name = "--generate-cli-skeleton", nargs = "?",
            dest = "skeleton", const = "input",
            choices = { "input", "output", "yaml-input" } },
    }
    for _, p in ipairs(cmd.parameters) do
        specs[p.option] = { name = p.option, nargs = 1, dest = p.member }
    end
    return specs
end

-- A trace line for --debug, dated like the CLI's log lines.
local function debug_writer(line)
    io_stderr:write(os_date("!%Y-%m-%d %H:%M:%S"), " - iamlua - DEBUG - ", line, "\n")
end

local function build_params(cmd, opts)
    local params = value.object()
    -- --cli-input-json/yaml first; explicit options win.
    if opts.cli_input_json or opts.cli_input_yaml then
        local input = require("cli.input").load(opts)
        for k, v in value.each(input) do params[k] = v end
    end
    for _, p in ipairs(cmd.parameters) do
        local v = opts[p.member]
        -- file:// and fileb:// values are paramfiles, as in the AWS CLI
        if type(v) == "string" and (v:find("^file://") or v:find("^fileb://")) then
            local binary
            v, binary = require("cli.input").resolve(v, p.option:sub(3))
            if binary then v = setmetatable({ v }, BYTES_MT) end
        end
        if v ~= nil then params[p.member] = v end
    end
    return params
end

local function check_required(cmd, opts)
    if opts.cli_input_json or opts.cli_input_yaml then return end
    local missing = {}
    for _, p in ipairs(cmd.parameters) do
        if p.required and opts[p.member] == nil then missing[#missing + 1] = p.option end
    end
    if #missing > 0 then
        argparse.fail("the following arguments are required: " .. table.concat(missing, ", "))
    end
end

-- botocore's validate_region_name: one DNS label, not all digits.
local function check_region(r)
    if r == nil then return end
    local ok = #r <= 63 and r:match("^[%w%-]*$") and not r:match("^%-")
        and not r:match("%-$") and not r:match("^%d+$")
    if not ok then
        error({ kind = "config", code = "InvalidRegionError", message =
            ("Provided region_name '%s' doesn't match a supported format."):format(r) }, 0)
    end
end

-- botocore encodes each Query parameter name and value as UTF-8 while it
-- builds the request: after validation and, when it signs, after finding
-- the credentials. A value with bytes that are not UTF-8 (lone surrogates
-- in the CLI's argv or JSON strings) fails there, with exit 255.
local function check_encodable(client, g, params, shape)
    local flat = aws.params.flatten(params, shape) or {}
    for _, kv in ipairs(flat) do
        local why = pystr.encode_error(kv[1]) or pystr.encode_error(kv[2])
        if why then
            if g.sign ~= false then
                local ok, err = client:_info()
                if not ok then error(err, 0) end
            end
            error({ kind = "internal", code = "UnicodeEncodeError", message = why }, 0)
        end
    end
end

-- The checks run in the AWS CLI's order: the operation's arguments,
-- unknown options, --cli-input-*, --region's format, the profile and
-- config files, parameter validation, then region and credentials while
-- the request is made, and --query last.
return function(host, g, rest)
    local service, name = rest[1], rest[2]
    if not SERVICES[service] then
        -- the services, and the commands that are not services: run, and
        -- audit once its driver is shipped
        local choices = { "run" }
        for s in pairs(SERVICES) do choices[#choices + 1] = s end
        if pcall(host.load, "cli.audit") then choices[#choices + 1] = "audit" end
        table.sort(choices)
        argparse.fail(argparse.choice_message("command", service, choices))
    end
    if name == nil then
        argparse.fail("the following arguments are required: operation")
    end
    if name == "help" then return require("cli.help")(host, g, { "help", service }) end
    local cmd = load_command(host, service, name)
    if not cmd then
        argparse.fail(argparse.choice_message("operation", name, command_names(host, service)))
    end
    local opts = {}
    local extra = argparse.parse(command_specs(cmd), rest, 3, opts)
    if #extra == 1 and extra[1] == "help" then
        return require("cli.help")(host, g, { "help", service, name })
    end
    if opts.skeleton ~= "input" and opts.skeleton ~= "yaml-input" then
        check_required(cmd, opts)
    end
    if #extra > 0 then argparse.unknown(extra) end
    if opts.skeleton then
        return require("cli.skeleton")(cmd, opts, g, host)
    end
    local params = build_params(cmd, opts)
    check_region(g.region)

    local client = aws.client(cmd.service, {
        profile = g.profile, region = g.region, endpoint_url = g.endpoint_url,
        verify_ssl = g.verify_ssl ~= false, ca_bundle = g.ca_bundle,
        sign = g.sign ~= false, connect_timeout = g.connect_timeout,
        read_timeout = g.read_timeout,
        user_agent = "iamlua/" .. host.versions().iamlua,
        debug = g.debug and debug_writer or nil,
    })
    local fmt = g.output
    if not fmt then
        fmt = os.getenv("AWS_DEFAULT_OUTPUT")
        if fmt == "" then fmt = nil end
    end
    local pfmt, err = client:_setting("output")
    if err then error(err, 0) end
    -- What the AWS CLI checks while creating its client (region format,
    -- retry settings) fails before parameter validation, as there.
    local checked, cerr = client:_check()
    if not checked then error(cerr, 0) end
    fmt = fmt or pfmt or "json"
    g.cli_pager = client:_setting("cli_pager")
    if client:_setting("cli_timestamp_format") == "wire" then
        client:_timestamps("wire")
    end

    local shape = require("shapes." .. cmd.service .. "." .. cmd.operation)
    local ok, verr = aws.params.validate(params, shape.input)
    if not ok then
        error({ kind = "usage", code = "ParamValidationError", message = verr }, 0)
    end
    check_encodable(client, g, params, shape.input)
    local r
    r, err = client:call(cmd.operation, params)
    if not r then error(err, 0) end
    if g.query_ast then r = require("cli.query").search(g.query_ast, g.query, r) end
    return require("cli.output").print(host, fmt, r, g, cmd, params)
end
