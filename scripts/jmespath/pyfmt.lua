-- jmespath.pyfmt: how Python spells values, for jmespath.py's messages.
--
-- The AWS CLI prints jmespath.py's exceptions, which format values with
-- Python's str()/repr() (`{'a': 1, 'b': None}`, `1.0`, `True`) and name
-- types the Python way (`int`, `str`, `NoneType`). The JSON encoder of
-- to_string() shares the float spelling, so it lives here too, as does
-- reading a number the way Python's int()/float() do (to_number()) and
-- walking UTF-8 by code point, as Python's str does.

local value = require "aws.value"

local byte, char, find, format, sub = string.byte, string.char, string.find,
    string.format, string.sub
local concat, tonumber, math_type = table.concat, tonumber, math.type
local getmetatable, rawlen, ipairs, type = getmetatable, rawlen, ipairs, type
local tostring, utf8 = tostring, utf8
local huge = math.huge
local vtype, vkeys = value.type, value.keys

local pcall = pcall
local M = {}

-- Python's type name of a value (what type(v).__name__ gives).
local PYTYPE = {
    null = "NoneType", boolean = "bool", string = "str", array = "list",
    object = "dict", expref = "_Expression",
}

function M.pytype(v)
    local t = vtype(v)
    if t == "number" then
        return math_type(v) == "integer" and "int" or "float"
    end
    return PYTYPE[t] or t
end

-- The length of a UTF-8 string in code points; a byte that starts no valid
-- sequence counts as one (as Python's surrogateescape would).
function M.ulen(s)
    local n = utf8.len(s)
    if n then return n end
    n = 0
    local i, len = 1, #s
    while i <= len do
        local _, e = M.uchar(s, i)
        i, n = e + 1, n + 1
    end
    return n
end

local function cont(s, i, j)
    for k = i, j do
        local b = byte(s, k)
        if not b or b < 0x80 or b > 0xBF then return false end
    end
    return true
end

-- The code point starting at byte i: returns cp, last byte index. Invalid
-- bytes come back one at a time as their own value.
function M.uchar(s, i)
    local b = byte(s, i)
    local n = b < 0x80 and 0 or b >= 0xC2 and b <= 0xDF and 1
        or b >= 0xE0 and b <= 0xEF and 2 or b >= 0xF0 and b <= 0xF4 and 3
    if n == 0 then return b, i end
    if not n or not cont(s, i + 1, i + n) then return b, i end
    -- Overlong forms (E0 80..9F, F0 80..8F) and code points past U+10FFFF
    -- (F4 90..) pass the lead/continuation test but are not UTF-8: utf8
    -- raises on them, so they too come back one byte at a time.
    local ok, cp = pcall(utf8.codepoint, s, i, i, true)
    if not ok then return b, i end
    return cp, i + n
end

-- Python's str.isspace() for one code point.
local function is_space(cp)
    return (cp >= 9 and cp <= 13) or (cp >= 0x1C and cp <= 0x20)
        or cp == 0x85 or cp == 0xA0 or cp == 0x1680
        or (cp >= 0x2000 and cp <= 0x200A) or cp == 0x2028
        or cp == 0x2029 or cp == 0x202F or cp == 0x205F or cp == 0x3000
end

-- Python's s.lstrip(): Unicode whitespace.
function M.lstrip(s)
    local i, len = 1, #s
    while i <= len do
        local cp, e = M.uchar(s, i)
        if not is_space(cp) or (e == i and cp >= 0x80) then break end
        i = e + 1
    end
    return sub(s, i)
end

-- First code points of the runs of ten Unicode decimal digits (category
-- Nd, Unicode 14 as in Python 3.11), which int() and float() accept.
local ND_ZEROS = {
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66,
    0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0,
    0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50,
    0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50,
    0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
}

-- CPython's _PyUnicode_TransformDecimalAndSpaceToASCII: non-ASCII spaces
-- become ' ', decimal digits ASCII digits; anything else non-ASCII fails.
local function to_ascii(s)
    if not find(s, "[\128-\255]") then return s end
    local out, i, len = {}, 1, #s
    while i <= len do
        local cp, e = M.uchar(s, i)
        local c
        if e == i and cp < 0x80 then c = char(cp)
        elseif e > i and is_space(cp) then c = " "
        elseif e > i then
            for _, z in ipairs(ND_ZEROS) do
                if cp >= z and cp <= z + 9 then c = char(48 + cp - z) break end
            end
        end
        if not c then return nil end
        out[#out + 1] = c
        i = e + 1
    end
    return concat(out)
end

-- End of a Python digitpart (digit (["_"] digit)*) starting at i, or nil.
local function digitpart(s, i)
    local _, e = find(s, "^[0-9]+", i)
    if not e then return nil end
    while true do
        local _, e2 = find(s, "^_[0-9]+", e + 1)
        if not e2 then return e end
        e = e2
    end
end

local function parse_float(s)
    local sign = find(s, "^[-+]") and sub(s, 1, 1) or ""
    local body = sub(s, #sign + 1)
    local word = body:lower()
    if word == "inf" or word == "infinity" then
        return sign == "-" and -huge or huge
    elseif word == "nan" then
        return 0 / 0
    end
    local e = digitpart(body, 1)
    local i = (e or 0) + 1
    if sub(body, i, i) == "." then
        local e2 = digitpart(body, i + 1)
        if not e and not e2 then return nil end
        i = (e2 or i) + 1
    elseif not e then
        return nil
    end
    if find(body, "^[eE]", i) then
        local e3 = digitpart(body, find(body, "^[eE][-+]", i) and i + 2 or i + 1)
        if not e3 then return nil end
        i = e3 + 1
    end
    if i <= #body then return nil end
    local v = tonumber(sign .. body:gsub("_", ""))
    if math_type(v) == "integer" then v = v + 0.0 end -- float() never ints
    return v
end

-- Python's int(s), else float(s), else nil (jmespath.py's to_number).
function M.parse_number(s)
    s = to_ascii(s)
    if not s then return nil end
    s = s:match("^[ \t\n\v\f\r]*(.-)[ \t\n\v\f\r]*$")
    local i = find(s, "^[-+]") and 2 or 1
    local e = digitpart(s, i)
    if e and e == #s then return tonumber((s:gsub("_", ""))) end
    return parse_float(s)
end

-- Python's repr(float): the shortest digits that round-trip, fixed
-- notation when the decimal exponent is in (-4, 16], else `1e+16`.
function M.float_repr(x)
    if x ~= x then return "nan" end
    if x == huge then return "inf" end
    if x == -huge then return "-inf" end
    if x == 0 then return 1 / x < 0 and "-0.0" or "0.0" end
    local s
    for p = 0, 16 do
        s = format("%." .. p .. "e", x)
        if tonumber(s) == x then break end
    end
    local sign, d1, rest, exp = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
    local digits = (d1 .. rest):gsub("0+$", "")
    if digits == "" then digits = "0" end
    local decpt = tonumber(exp) + 1
    if decpt > -4 and decpt <= 16 then
        if decpt <= 0 then
            return sign .. "0." .. ("0"):rep(-decpt) .. digits
        elseif decpt >= #digits then
            return sign .. digits .. ("0"):rep(decpt - #digits) .. ".0"
        end
        return sign .. sub(digits, 1, decpt) .. "." .. sub(digits, decpt + 1)
    end
    local mant = sub(digits, 1, 1)
    if #digits > 1 then mant = mant .. "." .. sub(digits, 2) end
    local e = decpt - 1
    return format("%s%se%s%02d", sign, mant, e < 0 and "-" or "+",
        e < 0 and -e or e)
end

-- Characters Python's repr() escapes besides ASCII controls: a practical
-- subset of the non-printable ones (separators, formats, surrogates,
-- private use).
local function printable(cp)
    if cp < 0xA1 or cp == 0xAD then return false end
    if cp == 0x1680 or (cp >= 0x2000 and cp <= 0x200F)
        or (cp >= 0x2028 and cp <= 0x202F) or (cp >= 0x205F and cp <= 0x206F)
        or cp == 0x3000 or (cp >= 0xD800 and cp <= 0xF8FF) or cp == 0xFEFF
        or (cp >= 0xFFF9 and cp <= 0xFFFB) or cp >= 0xF0000 then
        return false
    end
    return true
end

local ESC = { [9] = "\\t", [10] = "\\n", [13] = "\\r", [92] = "\\\\" }

-- Python's repr(str).
function M.str_repr(s)
    local q = "'"
    if find(s, "'", 1, true) and not find(s, '"', 1, true) then q = '"' end
    local out, i, len = {}, 1, #s
    while i <= len do
        local cp, e = M.uchar(s, i)
        local b = byte(s, i)
        if e == i and b < 0x80 then
            if ESC[b] then out[#out + 1] = ESC[b]
            elseif char(b) == q then out[#out + 1] = "\\" .. q
            elseif b < 0x20 or b == 0x7F then out[#out + 1] = format("\\x%02x", b)
            else out[#out + 1] = char(b) end
        elseif e == i then
            out[#out + 1] = format("\\x%02x", b)
        elseif printable(cp) then
            out[#out + 1] = sub(s, i, e)
        else
            out[#out + 1] = cp < 0x100 and format("\\x%02x", cp)
                or cp < 0x10000 and format("\\u%04x", cp)
                or format("\\U%08x", cp)
        end
        i = e + 1
    end
    return q .. concat(out) .. q
end

local repr

local function seq_repr(v)
    local out = {}
    for i = 1, rawlen(v) do out[i] = repr(v[i]) end
    return "[" .. concat(out, ", ") .. "]"
end

local function obj_repr(v)
    local out = {}
    for _, k in ipairs(vkeys(v)) do
        out[#out + 1] = M.str_repr(k) .. ": " .. repr(v[k])
    end
    return "{" .. concat(out, ", ") .. "}"
end

-- Python's repr() of a JSON value.
function repr(v)
    local t = vtype(v)
    if t == "null" then return "None"
    elseif t == "boolean" then return v and "True" or "False"
    elseif t == "number" then
        if math_type(v) == "integer" then return format("%d", v) end
        return M.float_repr(v)
    elseif t == "string" then return M.str_repr(v)
    elseif t == "array" then return seq_repr(v)
    elseif t == "object" then return obj_repr(v)
    elseif t == "expref" then
        return "<jmespath.visitor._Expression object>"
    end
    local mt = getmetatable(v)
    return mt and mt.__name or tostring(v)
end
M.repr = repr

-- Python's str(): strings as they are, everything else as repr().
function M.str(v)
    if type(v) == "string" then return v end
    return repr(v)
end

return M
