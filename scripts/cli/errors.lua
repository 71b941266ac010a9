-- cli.errors: turns an error into the AWS CLI's stderr text and exit code,
-- following awscli/errorhandler.py's chain: parameter validation and usage
-- 252, configuration (no region, no credentials) 253, service errors 254,
-- Ctrl-C 130, everything else 255. Every message is framed by "\n" before
-- and after, as the CLI writes it.
local pystr = require "cli.pystr"
local type, tostring, getmetatable = type, tostring, getmetatable

local M = {}

-- Set by cli.output once colorama would have started (a coloured table).
M.colorama = false

local PROG = "iamlua"

M.USAGE = PROG .. " [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
    .. "To see help text, you can run:\n\n"
    .. "  " .. PROG .. " help\n"
    .. "  " .. PROG .. " <command> help\n"
    .. "  " .. PROG .. " <command> <subcommand> help\n"

local config_codes = {
    NoRegionError = ' You can also configure your region by running "aws configure".',
    NoCredentialsError = '. You can configure credentials by running "aws configure".',
}

local function render(e)
    if type(e) ~= "table" then
        return "\n" .. tostring(e) .. "\n", 255
    end
    local code, kind, msg = e.code, e.kind, e.message or tostring(e)
    if e.argparse then
        return "\nusage: " .. M.USAGE .. "\n" .. PROG .. ": error: " .. msg .. "\n\n", 252
    elseif e.unknown then
        return "\nusage: " .. M.USAGE .. "\n" .. msg .. "\n\n", 252
    elseif code == "KeyboardInterrupt" then
        return "", 130, "\n"
    elseif kind == "usage" or code == "ParamValidationError" then
        return "\n" .. msg .. "\n", 252
    elseif code == "ConfigurationError" then
        -- awscli.customizations.exceptions.ConfigurationError
        return "\n" .. msg .. "\n", 253
    elseif config_codes[code] then
        local text = msg
        -- botocore's message is the bare sentence; the handler adds advice.
        if not text:find('"aws configure"', 1, true) then
            text = text:gsub("%.$", "") .. config_codes[code]
            if code == "NoRegionError" then text = msg .. config_codes[code] end
        end
        return "\n" .. text .. "\n", 253
    elseif kind == "service" then
        return "\n" .. tostring(e) .. "\n", 254
    end
    local mt = getmetatable(e)
    if mt and mt.__tostring then msg = tostring(e) end
    return "\n" .. msg .. "\n", 255
end

-- Returns stderr text, exit code, and text for stdout (Ctrl-C prints "\n"
-- there). Python writes stderr with backslashreplace, so bytes of argv or
-- the environment that are not UTF-8 (surrogates there) show as \udcXX.
function M.render(e)
    local text, rc, out = render(e)
    text = pystr.printable(text)
    if M.colorama and text:sub(1, 1) == "\n" and text:sub(-1) == "\n" and #text > 1 then
        -- colorama (started by a coloured table) also wraps stderr: each of
        -- the handler's three writes ("\n", message, "\n") gets its ESC[0m
        local r = "\27[0m"
        text = "\n" .. r .. text:sub(2, -2) .. r .. "\n" .. r
    end
    return text, rc, out
end

return M
