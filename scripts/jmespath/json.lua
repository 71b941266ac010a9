-- jmespath.json: Python's json.loads and compact json.dumps.
--
-- jmespath.py reads backtick literals and quoted identifiers with
-- json.loads, and to_string() writes with json.dumps(separators=(',',':')),
-- so both follow Python's json module rather than a generic JSON library:
-- NaN/Infinity are accepted, integers stay integers, error messages read
-- like Python's, output escapes all non-ASCII (ensure_ascii) and spells
-- floats the Python way.

local value = require "aws.value"
local pyfmt = require "jmespath.pyfmt"

local byte, char, find, format, sub = string.byte, string.char, string.find,
    string.format, string.sub
local concat, tonumber, math_type, utf8_char = table.concat, tonumber,
    math.type, utf8.char
local error, pcall, rawlen, type, ipairs = error, pcall, rawlen, type, ipairs
local null, vtype, vkeys = value.null, value.type, value.keys
local new_object, new_array = value.object, value.array
local huge = math.huge

local M = {}

-- Decoding errors are raised as { json = msg } and caught in loads.
local function fail(msg)
    error({ json = msg }, 0)
end

local function skip_ws(s, i)
    return (find(s, "[^ \t\n\r]", i)) or #s + 1
end

local ESCAPES = {
    ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f",
    n = "\n", r = "\r", t = "\t",
}

local function hex4(s, i)
    local h = sub(s, i, i + 3)
    if not find(h, "^%x%x%x%x$") then fail("Invalid \\uXXXX escape") end
    return tonumber(h, 16)
end

-- A \u escape at i (pointing at 'u'): combines a surrogate pair like
-- CPython's scanner; a lone surrogate is kept as its own code point.
local function unicode_escape(s, i)
    local cp = hex4(s, i + 1)
    local j = i + 5
    if cp >= 0xD800 and cp <= 0xDBFF and sub(s, j, j + 1) == "\\u" then
        local lo = hex4(s, j + 2)
        if lo >= 0xDC00 and lo <= 0xDFFF then
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
            j = j + 6
        end
    end
    return utf8_char(cp), j
end

-- A string whose opening quote is at i; returns the text and the index
-- after the closing quote.
local function scan_string(s, i)
    local out, pos = {}, i + 1
    while true do
        local j = find(s, '[%z\1-\31"\\]', pos)
        if not j then fail("Unterminated string starting at") end
        out[#out + 1] = sub(s, pos, j - 1)
        local c = sub(s, j, j)
        if c == '"' then return concat(out), j + 1 end
        if c ~= "\\" then fail("Invalid control character at") end
        local e = sub(s, j + 1, j + 1)
        if e == "u" then
            out[#out + 1], pos = unicode_escape(s, j + 1)
        elseif ESCAPES[e] then
            out[#out + 1], pos = ESCAPES[e], j + 2
        else
            fail(e == "" and "Unterminated string starting at"
                or "Invalid \\escape")
        end
    end
end

local scan_value

local function scan_array(s, i)
    local arr, n = {}, 0
    i = skip_ws(s, i + 1)
    if sub(s, i, i) == "]" then return new_array(arr), i + 1 end
    while true do
        n = n + 1
        arr[n], i = scan_value(s, i)
        i = skip_ws(s, i)
        local c = sub(s, i, i)
        if c == "]" then return new_array(arr), i + 1 end
        if c ~= "," then fail("Expecting ',' delimiter") end
        i = skip_ws(s, i + 1)
    end
end

local function scan_object(s, i)
    local obj = new_object()
    i = skip_ws(s, i + 1)
    if sub(s, i, i) == "}" then return obj, i + 1 end
    while true do
        if sub(s, i, i) ~= '"' then
            fail("Expecting property name enclosed in double quotes")
        end
        local k
        k, i = scan_string(s, i)
        i = skip_ws(s, i)
        if sub(s, i, i) ~= ":" then fail("Expecting ':' delimiter") end
        obj[k], i = scan_value(s, skip_ws(s, i + 1))
        i = skip_ws(s, i)
        local c = sub(s, i, i)
        if c == "}" then return obj, i + 1 end
        if c ~= "," then fail("Expecting ',' delimiter") end
        i = skip_ws(s, i + 1)
    end
end

local WORDS = {
    { "null", null }, { "true", true }, { "false", false },
    { "NaN", 0 / 0 }, { "Infinity", huge }, { "-Infinity", -huge },
}

local function scan_number(s, i)
    local _, e, int = find(s, "^(-?0)", i)
    if not e then _, e, int = find(s, "^(-?[1-9]%d*)", i) end
    if not e then return nil end
    local _, fe = find(s, "^%.%d+", e + 1)
    local _, ee = find(s, "^[eE][-+]?%d+", (fe or e) + 1)
    if not fe and not ee then
        local v = tonumber(int)
        if math_type(v) ~= "integer" then v = tonumber(int .. ".0") end
        return v, e + 1
    end
    local last = ee or fe
    local v = tonumber(sub(s, i, last)) -- a float (keeps -0.0)
    return v, last + 1
end

function scan_value(s, i)
    local c = sub(s, i, i)
    if c == '"' then return scan_string(s, i)
    elseif c == "{" then return scan_object(s, i)
    elseif c == "[" then return scan_array(s, i)
    end
    for _, w in ipairs(WORDS) do
        if sub(s, i, i + #w[1] - 1) == w[1] then return w[2], i + #w[1] end
    end
    local v, j = scan_number(s, i)
    if v == nil then fail("Expecting value") end
    return v, j
end

-- json.loads(s): returns the value, or nil and Python's message text
-- without its position suffix.
function M.loads(s)
    if sub(s, 1, 3) == "\239\187\191" then
        return nil, "Unexpected UTF-8 BOM (decode using utf-8-sig)"
    end
    local ok, v, j = pcall(function()
        return scan_value(s, skip_ws(s, 1))
    end)
    if not ok then
        if type(v) == "table" and v.json then return nil, v.json end
        error(v, 0)
    end
    if skip_ws(s, j) <= #s then return nil, "Extra data" end
    return v
end

local function escape_char(c)
    local b = byte(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\"
    elseif c == "\n" then return "\\n" elseif c == "\r" then return "\\r"
    elseif c == "\t" then return "\\t" elseif c == "\b" then return "\\b"
    elseif c == "\f" then return "\\f" end
    return format("\\u%04x", b)
end

local function unicode_units(cp)
    if cp < 0x10000 then return format("\\u%04x", cp) end
    cp = cp - 0x10000
    return format("\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF))
end

-- A JSON string with ensure_ascii=True, as Python writes it.
local function quote(s)
    if not find(s, '[%z\1-\31"\\\127-\255]') then return '"' .. s .. '"' end
    local out, i, len = {}, 1, #s
    while i <= len do
        local j = find(s, '[%z\1-\31"\\\127-\255]', i) or len + 1
        out[#out + 1] = sub(s, i, j - 1)
        if j > len then break end
        local b = byte(s, j)
        if b < 0x80 then
            out[#out + 1], i = escape_char(char(b)), j + 1
        else
            local cp, e = pyfmt.uchar(s, j)
            out[#out + 1], i = unicode_units(cp), e + 1
        end
    end
    return '"' .. concat(out) .. '"'
end
M.quote = quote

local function number(v)
    if math_type(v) == "integer" then return format("%d", v) end
    if v ~= v then return "NaN" end
    if v == huge then return "Infinity" end
    if v == -huge then return "-Infinity" end
    return pyfmt.float_repr(v)
end

local dump

local function dump_array(v, out)
    out[#out + 1] = "["
    for i = 1, rawlen(v) do
        if i > 1 then out[#out + 1] = "," end
        dump(v[i], out)
    end
    out[#out + 1] = "]"
end

local function dump_object(v, out)
    out[#out + 1] = "{"
    for i, k in ipairs(vkeys(v)) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = quote(k)
        out[#out + 1] = ":"
        dump(v[k], out)
    end
    out[#out + 1] = "}"
end

function dump(v, out)
    local t = vtype(v)
    if t == "null" then out[#out + 1] = "null"
    elseif t == "boolean" then out[#out + 1] = v and "true" or "false"
    elseif t == "number" then out[#out + 1] = number(v)
    elseif t == "string" then out[#out + 1] = quote(v)
    elseif t == "array" then dump_array(v, out)
    elseif t == "object" then dump_object(v, out)
    else out[#out + 1] = quote(pyfmt.str(v)) -- json.dumps(default=str)
    end
end

-- json.dumps(v, separators=(',', ':')): compact, keys in order.
function M.dumps(v)
    local out = {}
    dump(v, out)
    return concat(out)
end

return M
