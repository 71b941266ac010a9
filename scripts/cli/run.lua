-- cli.run: Lua as lua(1) runs it, with the aws module.
--
--   iamlua [global options] run SCRIPT.lua [ARG ...]
--   iamlua [global options] run - [ARG ...]      the script from stdin
--   iamlua [global options] -e CODE [ARG ...]    aws is a global
--   iamlua [global options] -i                   interactive (cli.repl)
--
-- `arg` is set as lua(1) sets it (arg[0] the script, arg[1..] its
-- arguments, negative indices the interpreter and the mode) and the
-- arguments are also passed as `...`. `require` finds modules in the
-- script's own directory first, then on package.path / package.cpath
-- (LUA_PATH_5_4, LUA_PATH, ... as lua(1); bindings/lembed.c keeps the
-- host's own modules the host's). The global options that mean something
-- for a script become the defaults of its clients and outputs
-- (aws.defaults); any other is a usage error. Exit status: the script's
-- integer result, 1 if it returned false or raised, 130 after Ctrl-C
-- whatever it caught (bindings/lintr.c), else 0.
local loadfile, load, type, tostring, getmetatable, pcall = loadfile, load, type, tostring, getmetatable, pcall
local xpcall, require, pairs, rawequal, ipairs, setmetatable = xpcall, require, pairs, rawequal, ipairs, setmetatable
local io_stderr, io_stdout, io_stdin, os_date = io.stderr, io.stdout, io.stdin, os.date
local table_unpack, table_concat, table_sort = table.unpack, table.concat, table.sort
local debug_traceback, math_type = debug.traceback, math.type

local argparse = require "cli.argparse"
local globals = require "cli.globals"

local M = {}

M.USAGE = [[
usage: iamlua [global options] run SCRIPT.lua [ARG ...]
       iamlua [global options] run - [ARG ...]
       iamlua [global options] -e CODE [ARG ...]
       iamlua [global options] -i

Runs Lua 5.4 with the aws module: a script file, a script read from
standard input (-), a chunk given on the command line (-e, with aws
already a global) or an interactive prompt (-i, aws loaded; Tab
completes, Ctrl-C cancels the line, Ctrl-D exits).

arg is set as lua(1) sets it and the arguments are also passed as `...`.
require finds modules in the script's directory first, then on
package.path and package.cpath (LUA_PATH_5_4, LUA_PATH, LUA_CPATH_5_4,
LUA_CPATH; ";;" is the default path); aws and iamlua's own modules always
come from iamlua.

Global options before run, -e or -i are the defaults of every client and
output of the script (a client's own options win): --profile, --region,
--endpoint-url, --debug, --no-verify-ssl, --ca-bundle,
--cli-read-timeout, --cli-connect-timeout, --color. Any other global
option there is a usage error.

Exit status: the script's integer result; 1 when it returns false or
raises; 130 after Ctrl-C, whatever the script caught; 252 for a usage
error; else 0.

The aws module's reference: iamlua help lua, or man 3 iamlua-lua.
]]

-- Global options that are defaults for a script, by their dest.
local FOR_SCRIPTS = { profile = true, region = true, endpoint_url = true,
    debug = true, verify_ssl = true, ca_bundle = true, read_timeout = true,
    connect_timeout = true, color = true }

local MODE_WORD = { run = "run", ["-e"] = "-e", ["-i"] = "-i" }

-- Any other global option given is refused, naming it.
local function refuse_globals(g, mode)
    local names = {}
    for name in pairs(globals.specs) do names[#names + 1] = name end
    table_sort(names)
    for _, name in ipairs(names) do
        local spec = globals.specs[name]
        local v = g[spec.dest]
        if v ~= nil and not FOR_SCRIPTS[spec.dest] and spec.dest ~= "version"
            and (spec.const == nil or spec.const == v) then
            argparse.fail(("argument %s: not allowed with %s (only --profile, "
                .. "--region, --endpoint-url, --debug, --no-verify-ssl, "
                .. "--ca-bundle, --cli-read-timeout, --cli-connect-timeout and "
                .. "--color are defaults for a script)"):format(name, mode))
        end
    end
end

-- A trace line for --debug, dated like the CLI's log lines.
local function debug_writer(line)
    io_stderr:write(os_date("!%Y-%m-%d %H:%M:%S"), " - iamlua - DEBUG - ", line, "\n")
end

local function set_defaults(g)
    local d = require "aws.defaults"
    d.profile, d.region, d.endpoint_url = g.profile, g.region, g.endpoint_url
    d.ca_bundle, d.color = g.ca_bundle, g.color
    d.read_timeout, d.connect_timeout = g.read_timeout, g.connect_timeout
    if g.verify_ssl == false then d.verify_ssl = false end
    if g.debug then d.debug = debug_writer end
end

-- The text of an error value: a string or number as it is; a table with
-- __tostring (aws.error) or with message/code fields as that; anything
-- else as lua.c names it. The second result: whether a traceback helps
-- (strings are bugs; error tables are expected failures).
local function describe(e)
    local te = type(e)
    if te == "string" or te == "number" then return tostring(e), true end
    local mt = getmetatable(e)
    if mt ~= nil and type(mt) == "table" and mt.__tostring then
        local ok, s = pcall(tostring, e)
        if ok and type(s) == "string" then return s, false end
    end
    if te == "table" then
        local msg, code = e.message, e.code
        if msg ~= nil and code ~= nil then
            return tostring(code) .. ": " .. tostring(msg), false
        elseif msg ~= nil then
            return tostring(msg), false
        elseif code ~= nil then
            return "error " .. tostring(code), false
        end
    end
    return ("(error object is a %s value)"):format(te), true
end
M.describe = describe

-- A traceback of the script's frames only: the host's driver frames
-- (scripts/cli.lua, scripts/cli/*.lua) and the C call into the chunk
-- below them are cut.
local function user_traceback(msg, level)
    local tb = debug_traceback(msg, level + 1)
    local out = {}
    for line in (tb .. "\n"):gmatch("(.-)\n") do
        if line:find("scripts/cli[/.]") then break end
        out[#out + 1] = line
    end
    while #out > 0 and out[#out]:find("^%s*%[C%]: in ") do out[#out] = nil end
    if out[#out] == "stack traceback:" then out[#out] = nil end
    return table_concat(out, "\n")
end
M.user_traceback = user_traceback

-- xpcall handler: the interrupt passes as it is; anything else becomes
-- its text, with the script's traceback where it helps (and with --debug).
local function handler_for(host, g)
    return function(e)
        if rawequal(e, host.interrupt) then return e end
        local text, trace = describe(e)
        if trace or g.debug then return user_traceback(text, 2) end
        return text
    end
end

-- The chunk, its chunk-name label for messages and the script's
-- directory (nil for -e and stdin).
local function load_chunk(mode, rest)
    if mode == "-e" then
        local code = rest[2]
        if code == nil then argparse.fail("argument -e: expected one argument") end
        return load(code, "=(command line)", "t")
    end
    local script = rest[2]
    if script == "-" then
        local src = io_stdin:read("a") or ""
        -- lua(1) skips a first line starting with '#' (a #! line)
        if src:sub(1, 1) == "#" then src = src:gsub("^[^\n]*", "", 1) end
        return load(src, "=stdin", "t")
    end
    local chunk, err = loadfile(script, "t")
    if not chunk and not err:find(script, 1, true) then err = script .. ": " .. err end
    return chunk, err, script:match("^(.*)/[^/]*$") or "."
end

-- The script's directory first on package.path and package.cpath.
local function prepend_dir(dir)
    local pkg = package
    pkg.path = dir .. "/?.lua;" .. dir .. "/?/init.lua;" .. pkg.path
    pkg.cpath = dir .. "/?.so;" .. pkg.cpath
end

function M.exit_code(host, ok, r)
    io_stdout:flush()
    if host.interrupted() then return 130 end -- Ctrl-C, as lua(1)+shell
    if not ok then
        io_stderr:write("iamlua: ", tostring(r), "\n")
        return 1
    end
    if math_type(r) == "integer" then return r end
    if r == false then return 1 end
    return 0
end

return setmetatable(M, { __call = function(_, host, g, rest, argv0)
    local mode = MODE_WORD[rest[1]]
    local script = rest[2]
    if mode == "run" and (script == "--help" or script == "-h" or script == "help") then
        io_stdout:write(M.USAGE)
        return 0
    end
    if mode == "run" and not script then
        argparse.fail("the following arguments are required: script")
    end
    refuse_globals(g, mode)
    set_defaults(g)
    local aws = require "aws"
    if mode == "-i" then
        _G.aws = aws
        local args = { [-1] = argv0 or "iamlua", [0] = "-i" }
        for i = 2, #rest do args[i - 1] = rest[i] end
        _G.arg = args
        local repl = require "cli.repl" -- keeps Lua's own xpcall
        host.protect()
        return repl(host, g, aws)
    end
    local chunk, lerr, dir = load_chunk(mode, rest)
    local args = { [-2] = argv0 or "iamlua", [-1] = mode, [0] = rest[2] }
    for i = 3, #rest do args[i - 2] = rest[i] end
    _G.arg = args
    if not chunk then
        io_stderr:write("iamlua: ", lerr, "\n")
        return 1
    end
    if dir then prepend_dir(dir) end
    if mode == "-e" then _G.aws = aws end
    host.protect()
    local ok, r = xpcall(chunk, handler_for(host, g), table_unpack(args, 1, #rest - 2))
    return M.exit_code(host, ok, r)
end })
