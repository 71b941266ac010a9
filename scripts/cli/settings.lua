-- cli.settings: what the AWS CLI checks in the profile when its session
-- starts (the `session-initialized` event), after the global options are
-- parsed and before any command or `help` runs:
--   cli_timestamp_format   customizations/timestampformat.py: "wire" or
--                          "iso8601", exactly; anything else is a
--                          ConfigurationError (253)
--   cli_binary_format      customizations/binaryformat.py: "base64" or
--                          "raw-in-base64-out"; anything else fails the
--                          handler table's lookup, a KeyError (255) whose
--                          text is the value's repr()
-- A profile that does not exist is not an error here (the CLI falls back
-- to the defaults; the command reports it later), nor are files that do
-- not parse (they are reported where they were before).
local aws = require "aws"
local error, format = error, string.format

local M = {}

local BINARY = { base64 = true, ["raw-in-base64-out"] = true }

-- Python's repr() of a str: single quotes unless it holds one and no
-- double quote; backslash, the quote and control characters escaped.
local function repr(s)
    local q = (s:find("'", 1, true) and not s:find('"', 1, true)) and '"' or "'"
    local esc = { ["\t"] = "\\t", ["\n"] = "\\n", ["\r"] = "\\r", ["\\"] = "\\\\",
                  [q] = "\\" .. q }
    return q .. s:gsub("[%c\\'\"]", function(c)
        return esc[c] or (c == '"' or c == "'") and c or format("\\x%02x", c:byte())
    end) .. q
end
M.repr = repr

function M.check(g)
    local probe = aws.client("iam", { profile = g.profile })
    local ts = probe:_setting("cli_timestamp_format")
    if ts ~= nil and ts ~= "wire" and ts ~= "iso8601" then
        error({ kind = "config", code = "ConfigurationError", message =
            format('Unknown cli_timestamp_format value: %s, valid values '
                .. 'are "wire" or "iso8601"', ts) }, 0)
    end
    local bf = g.binary_format or probe:_setting("cli_binary_format")
    if bf ~= nil and not BINARY[bf] then
        error({ kind = "internal", code = "KeyError", message = repr(bf) }, 0)
    end
end

return M
