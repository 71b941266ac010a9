-- jmespath.compare: equality, truth and ordering as jmespath.py gets them
-- from Python.
--
-- jmespath.py compares with Python's operators, so inside arrays and
-- objects `true == 1` and `false == 0` hold (only a top-level comparison
-- special-cases 0/1 against booleans), and ordering a string against a
-- number is Python's TypeError. Strings order by code point, which for
-- UTF-8 is byte order.

local value = require "aws.value"
local errors = require "jmespath.errors"

local byte, min, rawlen, math_type = string.byte, math.min, rawlen,
    math.type
local os_setlocale = os.setlocale
local vtype, vkeys, vlen, null = value.type, value.keys, value.len, value.null
local type, next, ipairs = type, next, ipairs

local M = {}

-- Lua's `<` on strings uses strcoll; under a C collation that is byte
-- order. Otherwise compare bytes by hand.
local function bytes_lt(a, b)
    for i = 1, min(#a, #b) do
        local x, y = byte(a, i), byte(b, i)
        if x ~= y then return x < y end
    end
    return #a < #b
end

local collate = os_setlocale and os_setlocale(nil, "collate")
local str_lt = bytes_lt
if collate == "C" or collate == "POSIX" then
    str_lt = function(a, b) return a < b end
end
M.str_lt = str_lt

-- The Python number a boolean is (True == 1), or the number itself.
local function as_pynum(v, t)
    if t == "boolean" then return v and 1 or 0 end
    return v
end

local py_eq

local function array_eq(a, b)
    local n = rawlen(a)
    if n ~= rawlen(b) then return false end
    for i = 1, n do
        if not py_eq(a[i], b[i]) then return false end
    end
    return true
end

local function object_eq(a, b)
    local ka = vkeys(a)
    if #ka ~= #vkeys(b) then return false end
    for _, k in ipairs(ka) do
        local w = b[k]
        if w == nil or not py_eq(a[k], w) then return false end
    end
    return true
end

-- Python's `a == b` on JSON values.
function py_eq(a, b)
    local ta, tb = vtype(a), vtype(b)
    if ta == "number" or ta == "boolean" then
        if tb ~= "number" and tb ~= "boolean" then return false end
        return as_pynum(a, ta) == as_pynum(b, tb)
    end
    if ta ~= tb then return false end
    if ta == "array" then return array_eq(a, b) end
    if ta == "object" then return object_eq(a, b) end
    if ta == "null" then return true end
    return a == b
end
M.py_eq = py_eq

local function zero_or_one(v)
    return math_type(v) and (v == 0 or v == 1)
end

-- jmespath.py's _equals: Python equality, except that 0 and 1 never equal
-- a boolean at the top level.
function M.equals(x, y)
    if zero_or_one(x) then
        if vtype(y) == "boolean" then return false end
    elseif zero_or_one(y) and vtype(x) == "boolean" then
        return false
    end
    return py_eq(x, y)
end

-- JMESPath falsiness: null, false, "", [] and {}.
function M.is_false(v)
    if v == nil or v == null or v == false or v == "" then return true end
    if type(v) ~= "table" then return false end
    local t = vtype(v)
    if t == "array" then return rawlen(v) == 0 end
    if t == "object" then return next(v) == nil or vlen(v) == 0 end
    return false
end

-- Python's `a OP b` for OP one of < > <= >= on numbers and strings
-- (callers have checked both are one or the other): mixing the two is a
-- TypeError.
function M.order(op, a, b)
    local sa, sb = type(a) == "string", type(b) == "string"
    if sa ~= sb then errors.unorderable(op, a, b) end
    if sa then
        if op == "<" then return str_lt(a, b)
        elseif op == ">" then return str_lt(b, a)
        elseif op == "<=" then return not str_lt(b, a) end
        return not str_lt(a, b)
    end
    if op == "<" then return a < b
    elseif op == ">" then return a > b
    elseif op == "<=" then return a <= b end
    return a >= b
end

return M
