-- cli: the iamlua command line driver. Called by main.c as
-- chunk(host, argv) with the host's private helpers; returns the exit code.
-- Only this file (and the cli.* modules it uses) decides exit codes.
local host, argv = ...

local require, pcall, type, tostring, ipairs = require, pcall, type, tostring, ipairs
local io_stdout, io_stderr = io.stdout, io.stderr
local table_concat = table.concat

local argparse = require "cli.argparse"
local globals = require "cli.globals"
local errors = require "cli.errors"

local function write_err(text, rc, out)
    if out then io_stdout:write(out) end
    if text ~= "" then io_stderr:write(text) end
    io_stdout:flush()
    return rc
end

local function version_line()
    local v = host.versions()
    return ("iamlua/%s Lua/%s libcurl/%s OpenSSL/%s libxml2/%s\n"):format(
        v.iamlua, v.lua, v.curl, v.openssl, v.libxml2)
end

-- --output choices: the CLI's five first (in its order, for its error
-- text), then user formats found as output/NAME.lua. The formats iamlua
-- ships beyond the CLI's (csv, html, sarif, ...) are accepted but left out
-- of the list, so an invalid --output prints the AWS CLI's very text.
local function output_choices()
    local choices, seen = {}, {}
    for _, f in ipairs(globals.formats) do
        choices[#choices + 1] = f
        seen[f] = true
    end
    local accepted = {}
    for _, m in ipairs(host.list("output.")) do
        local name = m:sub(8)
        accepted[name] = true
        if not seen[name] and require("audit.discovery").user_file("output/" .. name .. ".lua") then
            choices[#choices + 1] = name
        end
    end
    return choices, accepted
end

local LUA_MODES = { run = true, ["-e"] = true, ["-i"] = true }

local function main(args, prompted)
    -- Auto-prompt (cli.prompt) decides from the raw words, before parsing,
    -- as the CLI's entry point does; it calls main again, prompted. Lua
    -- (run, -e, -i) never prompts: its arguments are the script's.
    -- cli.automode decides; cli.prompt loads only to prompt.
    if not prompted and not LUA_MODES[globals.first_word(args)] then
        local mode = require("cli.automode").mode(host, args)
        if mode ~= "off" then return require("cli.prompt").run(host, args, mode, main) end
    end
    argv = args
    local g = {}
    globals.specs["--output"].choices = nil -- validated after parsing
    local rest = argparse.parse(globals.specs, argv, 1, g, function(a, r)
        -- `run SCRIPT`, `-e CODE`, `-i`: everything after the script (the
        -- code, -i) belongs to the script, as lua(1) hands it on.
        return (#r == 2 and r[1] == "run") or (#r == 1 and (a == "-e" or a == "-i"))
    end)
    if g.output then
        local choices, accepted = output_choices()
        local ok = accepted[g.output] or false
        for _, c in ipairs(choices) do if c == g.output then ok = true end end
        if not ok then argparse.fail(argparse.choice_message("--output", g.output, choices)) end
    end
    -- customizations/globalargs.py's resolve_types: --query, then
    -- --endpoint-url's scheme
    if g.query then g.query_ast = require("cli.query").compile(g.query) end
    if g.endpoint_url then globals.check_endpoint_url(g.endpoint_url) end
    if g.version then
        io_stdout:write(version_line())
        return 0
    end
    local cmd = rest[1]
    if cmd == nil then
        argparse.fail("the following arguments are required: command")
    elseif LUA_MODES[cmd] then
        return require("cli.run")(host, g, rest, argv[0])
    end
    require("cli.settings").check(g) -- the CLI's session-initialized checks
    if cmd == "help" then
        return require("cli.help")(host, g, rest)
    elseif cmd == "audit" then
        return require("cli.audit")(host, g, rest)
    end
    return require("cli.service")(host, g, rest)
end

-- Error tables pass through; a string error is a bug and keeps its
-- traceback.
local ok, rc = xpcall(main, function(e)
    if type(e) == "string" then return debug.traceback(e, 2) end
    return e
end, argv)
if ok then
    io_stdout:flush()
    return rc or 0
end
if host.interrupted() then
    -- Ctrl-C while Lua code ran (lua.c-style hook): the CLI's 130.
    return write_err("", 130, "\n")
end
if type(rc) == "string" then
    -- A string error escaping the driver is a bug: show where it came from.
    io_stderr:write("\n", rc, "\n")
    return 255
end
return write_err(errors.render(rc))
