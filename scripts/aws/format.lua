-- aws.format / aws.print: a script's data in any output format, byte for
-- byte what `--output NAME` prints for the same data (DESIGN.md 1.2).
-- Also the one loader of output formats: scripts/cli/output.lua uses
-- load() and render() too, so the CLI and scripts cannot differ.
--
--   aws.format(data, name [, opts]) -> string
--   aws.print(data, name [, opts])   writes that string to io.stdout
--
-- opts (all optional):
--   title    string: the table format's title (the CLI passes the
--            operation name, e.g. "GetAccessKeyLastUsed"); no title row
--            when absent
--   columns  array of key names: table, text (and csv) put these keys
--            first, in this order; the others follow, sorted
--   color    true | false | "on" | "off" | "auto"; default the --color
--            given before `run`, else "auto" (colour when stdout is a
--            terminal, as the CLI decides)
--   width    the table format's width; default the terminal's when stdout
--            is one, else 80
-- A user format (output/NAME.lua in a user directory) also receives every
-- other field of opts unchanged; the shipped formats refuse fields they do
-- not know, so a misspelt option is an error, never ignored.
--
-- The user-format contract: output/NAME.lua returns a table whose
-- `format(data, opts)` returns a string (the exact bytes to print).
-- data is the result as the CLI's formatter gets it (aws.value model:
-- ordered objects, arrays, aws.null, strings, numbers, booleans); opts
-- holds title/operation, command (the CLI's command name, nil in
-- scripts), params (the request's parameters, CLI), columns, color (a
-- boolean), width, is_query (CLI: --query was given) and the script's own
-- fields. A format that cannot be loaded, lacks `format`, raises or
-- returns something else than a string fails with one line naming its
-- file and what was wrong (an error table, kind "format": exit 255 in the
-- CLI).
local core = require "aws.core"
local defaults = require "aws.defaults"

local type, error, pcall, tostring, ipairs, pairs = type, error, pcall, tostring, ipairs, pairs
local setmetatable, require, math_type = setmetatable, require, math.type
local debug_getinfo = debug.getinfo
local io_stdout = io.stdout

local M = {}

local SHIPPED = { json = true, text = true, table = true, yaml = true,
                  ["yaml-stream"] = true }
local KNOWN_OPTS = { title = "string", columns = "table", color = true,
                     width = "number" }

-- A format error: one line, no traceback, kind "format".
local function fail(file, why)
    why = tostring(why):match("^[^\n]*")
    error(setmetatable({ code = "FormatError", kind = "format",
        message = ("output format %s: %s"):format(file, why) }, core.error_mt), 0)
end

-- The file a format was loaded from, for messages: the user file's path
-- or the shipped script's.
local function file_of(chunk, name)
    local info = debug_getinfo(chunk, "S")
    local src = info and info.source or ""
    if src:sub(1, 1) == "@" then return src:sub(2) end
    return "output/" .. name .. ".lua"
end

-- load(name, loader) -> module, file. `loader(modname)` returns the chunk
-- (the host's lookup: user directories first); nil, "unknown" when there
-- is no such format.
function M.load(name, loader)
    local ok, chunk = pcall(loader, "output." .. name)
    if not ok then
        if tostring(chunk):find("not found", 1, true) then return nil, "unknown" end
        fail("output/" .. name .. ".lua", chunk)
    end
    local file = file_of(chunk, name)
    local ok2, mod = pcall(chunk, "output." .. name)
    if not ok2 then fail(file, mod) end
    if type(mod) ~= "table" or type(mod.format) ~= "function" then
        fail(file, "must return a table with a function 'format' (returned "
            .. (type(mod) == "table" and "a table without one" or "a " .. type(mod)) .. ")")
    end
    return mod, file
end

-- render(mod, file, data, opts) -> string. The shipped formats' errors
-- are the CLI's own messages and pass unchanged; a user format's are
-- framed by its file name.
function M.render(mod, file, data, opts, shipped)
    if shipped then return mod.format(data, opts) end
    local ok, text = pcall(mod.format, data, opts)
    if not ok then
        if type(text) == "table" and text.kind == "format" then error(text, 0) end
        fail(file, "format raised: " .. tostring(text))
    end
    if type(text) ~= "string" then
        fail(file, "format returned a " .. type(text) .. ", not a string")
    end
    return text
end

-- --color on|off|auto, as the CLI resolves it for stdout.
function M.color(setting)
    if setting == true or setting == "on" then return true end
    if setting == false or setting == "off" then return false end
    return core.isatty(1)
end

local function check_opts(name, opts, shipped)
    for k, v in pairs(opts) do
        local want = KNOWN_OPTS[k]
        if want == nil then
            if shipped then
                error(("bad argument #3 to 'format' (the %s format has no option '%s'; "
                    .. "it knows title, columns, color, width)"):format(name, tostring(k)), 3)
            end
        elseif k == "color" then
            if v ~= true and v ~= false and v ~= "on" and v ~= "off" and v ~= "auto" then
                error("bad argument #3 to 'format' (color must be a boolean or "
                    .. "'on', 'off', 'auto')", 3)
            end
        elseif type(v) ~= want or (k == "width" and math_type(v) ~= "integer") then
            error(("bad argument #3 to 'format' (%s must be %s, got %s)"):format(
                k, k == "width" and "an integer" or "a " .. want, type(v)), 3)
        end
    end
    if opts.columns then
        for i, c in ipairs(opts.columns) do
            if type(c) ~= "string" then
                error(("bad argument #3 to 'format' (columns[%d] must be a string, got %s)")
                    :format(i, type(c)), 3)
            end
        end
    end
end

function M.format(data, name, opts)
    if type(name) ~= "string" then
        error("bad argument #2 to 'format' (string expected, got " .. type(name) .. ")", 2)
    end
    if opts ~= nil and type(opts) ~= "table" then
        error("bad argument #3 to 'format' (table expected, got " .. type(opts) .. ")", 2)
    end
    opts = opts or {}
    local mod, file = M.load(name, core.load_script)
    if not mod then
        error("bad argument #2 to 'format' (no output format '" .. name .. "')", 2)
    end
    local shipped = SHIPPED[name] and file:sub(1, 8) == "scripts/"
    check_opts(name, opts, shipped)
    local fopts = {}
    if not shipped then for k, v in pairs(opts) do fopts[k] = v end end
    fopts.title, fopts.operation, fopts.columns = opts.title, opts.title, opts.columns
    local color = opts.color
    if color == nil then color = defaults.color end
    fopts.color = M.color(color)
    local tty = core.isatty(1)
    fopts.width = opts.width or (tty and core.term_width()) or 80
    if data == nil then data = require("aws.value").null end
    return M.render(mod, file, data, fopts, shipped)
end

function M.print(data, name, opts)
    if type(name) ~= "string" then
        error("bad argument #2 to 'print' (string expected, got " .. type(name) .. ")", 2)
    end
    io_stdout:write(M.format(data, name, opts))
end

return M
