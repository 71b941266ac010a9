-- aws.json (encoder half): values of the aws.value data model -> JSON text,
-- byte for byte as Python's json.dumps writes it, so output/json.lua can
-- reproduce `aws --output json`. (Decoding is done in C; see DESIGN 1.2.)
--
--   json.encode(v [, opts]) -> string
--     opts.indent       nil: one line; an integer N or a string: one member
--                       per line indented by N spaces / that string, as
--                       json.dumps(indent=N) (0 and "" still break lines)
--     opts.separators   { item, key }; default { ",", ":" } on one line and
--                       { ",", ": " } with indent (the CLI's layout)
--     opts.ensure_ascii escape non-ASCII as \uXXXX (surrogate pairs above
--                       U+FFFF); default false, as the CLI
--     opts.sort_keys    sort object keys (byte order); default false: aws
--                       objects keep their order, plain tables are sorted
--     opts.allow_nan    default true: NaN, Infinity, -Infinity as Python
--                       writes them; false raises instead
--   json.float_repr(x) -> Python's repr() of a float ("1.0", "1e+16", ...)
--   json.number(x)     -> x as json.dumps writes it
--
-- Lua integers are Python ints, Lua floats are Python floats (1.0 -> "1.0").
-- Strings are written as the UTF-8 bytes they hold; only ensure_ascii decodes
-- them (a byte that is not valid UTF-8 is then written as \u00XX).
-- Functions, threads, userdata and cycles raise a Lua error.

local value = require("aws.value")

local type, tostring, tonumber, error = type, tostring, tonumber, error
local getmetatable, rawlen, next = getmetatable, rawlen, next
local math_type, math_huge = math.type, math.huge
local string_format, string_rep, string_byte = string.format, string.rep, string.byte
local string_find, string_gsub, string_sub = string.find, string.gsub, string.sub
local string_match, string_char = string.match, string.char
local table_concat, table_sort = table.concat, table.sort

local vtype, vkeys, null = value.type, value.keys, value.null
local object_mt = value.object_mt

local M = {}

-- Python's repr(float): the shortest digit string that reads back as x,
-- in positional form when the decimal exponent is in [-4, 16), else as
-- d[.ddd]e+XX.
local function float_repr(x)
    if x ~= x then return "nan" end
    if x == math_huge then return "inf" end
    if x == -math_huge then return "-inf" end
    if x == 0 then
        return (1 / x < 0) and "-0.0" or "0.0"
    end
    -- Fewest significant digits that round-trip; if p digits do, p + 1 do.
    local lo, hi = 0, 16
    while lo < hi do
        local mid = (lo + hi) // 2
        if tonumber(string_format("%." .. mid .. "e", x)) == x then
            hi = mid
        else
            lo = mid + 1
        end
    end
    local s = string_format("%." .. lo .. "e", x)
    local sign, d1, rest, exp = string_match(s, "^(-?)(%d)%.?(%d*)e([-+]%d+)$")
    local digits = string_gsub(d1 .. rest, "0+$", "")
    if digits == "" then digits = "0" end
    local decpt = tonumber(exp) + 1       -- digits are 0.DIGITS * 10^decpt
    local nd = #digits
    if decpt > -4 and decpt <= 16 then
        if decpt <= 0 then
            return sign .. "0." .. string_rep("0", -decpt) .. digits
        elseif decpt >= nd then
            return sign .. digits .. string_rep("0", decpt - nd) .. ".0"
        else
            return sign .. string_sub(digits, 1, decpt) .. "." .. string_sub(digits, decpt + 1)
        end
    end
    local e = decpt - 1
    local mant = nd > 1 and (string_sub(digits, 1, 1) .. "." .. string_sub(digits, 2)) or digits
    return string_format("%s%se%s%02d", sign, mant, e < 0 and "-" or "+", e < 0 and -e or e)
end
M.float_repr = float_repr

local function number(x, allow_nan)
    if math_type(x) == "integer" then return string_format("%d", x) end
    if x ~= x or x == math_huge or x == -math_huge then
        if allow_nan == false then
            error("aws.json.encode: Out of range float values are not JSON compliant: "
                  .. float_repr(x), 0)
        end
        if x ~= x then return "NaN" end
        return x > 0 and "Infinity" or "-Infinity"
    end
    return float_repr(x)
end
M.number = function(x) return number(x, true) end

-- String escapes of json.dumps(ensure_ascii=False): \" \\ \b \f \n \r \t,
-- other control characters as \u00XX (lowercase hex); DEL and non-ASCII raw.
local escapes = {
    ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
    ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
for b = 0, 31 do
    local c = string_char(b)
    if not escapes[c] then escapes[c] = string_format("\\u%04x", b) end
end
escapes["\127"] = "\\u007f"     -- only used with ensure_ascii

local function quote(s)
    if string_find(s, '[%z\1-\31"\\]') then
        s = string_gsub(s, '[%z\1-\31"\\]', escapes)
    end
    return '"' .. s .. '"'
end

local function u_escape(cp)
    if cp < 0x10000 then return string_format("\\u%04x", cp) end
    cp = cp - 0x10000
    return string_format("\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF))
end

-- Decodes one UTF-8 sequence starting at byte i; returns code point and
-- length, or nil when the bytes there are not valid UTF-8.
local function utf8_at(s, i)
    local c = string_byte(s, i)
    local n, cp
    if c < 0x80 then return c, 1
    elseif c >= 0xC2 and c <= 0xDF then n, cp = 2, c & 0x1F
    elseif c >= 0xE0 and c <= 0xEF then n, cp = 3, c & 0x0F
    elseif c >= 0xF0 and c <= 0xF4 then n, cp = 4, c & 0x07
    else return nil end
    for k = 1, n - 1 do
        local b = string_byte(s, i + k)
        if not b or b < 0x80 or b > 0xBF then return nil end
        cp = (cp << 6) | (b & 0x3F)
    end
    if (n == 3 and (cp < 0x800 or (cp >= 0xD800 and cp <= 0xDFFF)))
        or (n == 4 and (cp < 0x10000 or cp > 0x10FFFF)) then
        return nil
    end
    return cp, n
end
M._utf8_at = utf8_at

local function quote_ascii(s)
    if not string_find(s, '[%z\1-\31"\\\127-\255]') then return '"' .. s .. '"' end
    local out, n, i, len = {}, 0, 1, #s
    while i <= len do
        local j = string_find(s, '[%z\1-\31"\\\127-\255]', i)
        if not j then
            n = n + 1; out[n] = string_sub(s, i)
            break
        end
        if j > i then n = n + 1; out[n] = string_sub(s, i, j - 1) end
        local c = string_byte(s, j)
        if c < 0x80 then
            n = n + 1; out[n] = escapes[string_sub(s, j, j)]
            i = j + 1
        else
            local cp, w = utf8_at(s, j)
            if not cp then cp, w = c, 1 end
            n = n + 1; out[n] = u_escape(cp)
            i = j + w
        end
    end
    return '"' .. table_concat(out, "", 1, n) .. '"'
end

local function key_string(k, allow_nan)
    local tk = type(k)
    if tk == "string" then return k end
    if tk == "number" then return number(k, allow_nan) end
    if tk == "boolean" then return k and "true" or "false" end
    if k == null then return "null" end
    error("aws.json.encode: keys must be str, int, float, bool or None, not " .. tk, 0)
end

local function bytes_lt(a, b)   -- byte order whatever the C locale says
    local n = #a < #b and #a or #b
    for i = 1, n do
        local x, y = string_byte(a, i), string_byte(b, i)
        if x ~= y then return x < y end
    end
    return #a < #b
end
M._bytes_lt = bytes_lt

local KNOWN_OPTS = { indent = true, separators = true, ensure_ascii = true,
                     sort_keys = true, allow_nan = true }

function M.encode(v, opts)
    opts = opts or {}
    -- A misspelt option (indnt) is an error, not silently one line.
    for k in next, opts do
        if not KNOWN_OPTS[k] then
            error("aws.json.encode: unknown option '" .. tostring(k) .. "' (indent, "
                .. "separators, ensure_ascii, sort_keys, allow_nan)", 2)
        end
    end
    local indent = opts.indent
    if math_type(indent) == "integer" then
        indent = string_rep(" ", indent)
    elseif indent ~= nil and type(indent) ~= "string" then
        error("aws.json.encode: opts.indent must be an integer or a string", 2)
    end
    local item_sep, key_sep
    if opts.separators then
        item_sep, key_sep = opts.separators[1], opts.separators[2]
    elseif indent then
        item_sep, key_sep = ",", ": "
    else
        item_sep, key_sep = ",", ":"
    end
    local q = opts.ensure_ascii and quote_ascii or quote
    local sort_keys, allow_nan = opts.sort_keys, opts.allow_nan ~= false

    local buf, n = {}, 0
    local visiting = {}
    local newline = {}          -- newline[level] = "\n" .. indent * level
    local function nl(level)
        local s = newline[level]
        if not s then
            s = "\n" .. string_rep(indent, level)
            newline[level] = s
        end
        return s
    end

    local function enc(x, level)
        local tx = type(x)
        if tx == "string" then
            n = n + 1; buf[n] = q(x)
            return
        elseif tx == "number" then
            n = n + 1; buf[n] = number(x, allow_nan)
            return
        elseif tx == "boolean" then
            n = n + 1; buf[n] = x and "true" or "false"
            return
        elseif x == nil or x == null then
            n = n + 1; buf[n] = "null"
            return
        end
        local t = vtype(x)
        if t ~= "array" and t ~= "object" then
            if t == "null" then n = n + 1; buf[n] = "null"; return end
            error("aws.json.encode: Object of type " .. tostring(t) .. " is not JSON serializable", 0)
        end
        if visiting[x] then error("aws.json.encode: Circular reference detected", 0) end
        visiting[x] = true
        if t == "array" then
            local len = rawlen(x)
            if len == 0 then
                n = n + 1; buf[n] = "[]"
            else
                n = n + 1; buf[n] = "["
                local sep = indent and (item_sep .. nl(level + 1)) or item_sep
                if indent then n = n + 1; buf[n] = nl(level + 1) end
                for i = 1, len do
                    if i > 1 then n = n + 1; buf[n] = sep end
                    enc(x[i], level + 1)
                end
                if indent then n = n + 1; buf[n] = nl(level) end
                n = n + 1; buf[n] = "]"
            end
        else
            local keys = vkeys(x)
            local nk = #keys
            if nk == 0 then
                n = n + 1; buf[n] = "{}"
            else
                local strs = keys
                if getmetatable(x) ~= object_mt then
                    strs = {}
                    for i = 1, nk do strs[i] = key_string(keys[i], allow_nan) end
                end
                local order = keys
                if sort_keys then
                    order = {}
                    for i = 1, nk do order[i] = i end
                    table_sort(order, function(a, b) return bytes_lt(strs[a], strs[b]) end)
                end
                n = n + 1; buf[n] = "{"
                local sep = indent and (item_sep .. nl(level + 1)) or item_sep
                if indent then n = n + 1; buf[n] = nl(level + 1) end
                for i = 1, nk do
                    local j = sort_keys and order[i] or i
                    if i > 1 then n = n + 1; buf[n] = sep end
                    n = n + 1; buf[n] = q(strs[j])
                    n = n + 1; buf[n] = key_sep
                    enc(x[keys[j]], level + 1)
                end
                if indent then n = n + 1; buf[n] = nl(level) end
                n = n + 1; buf[n] = "}"
            end
        end
        visiting[x] = nil
    end

    enc(v, 0)
    return table_concat(buf, "", 1, n)
end

return M
