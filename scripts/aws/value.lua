-- aws.value: the JSON data model every part of iamlua shares.
--
-- JSON keeps distinctions a plain Lua table loses: null vs absent, an empty
-- array vs an empty object, and (for the AWS CLI's output) the order of an
-- object's keys. So:
--   * null is the sentinel `value.null` (also `aws.null`);
--   * an array is a table with metatable `value.array_mt`, items at 1..n;
--   * an object is a table with metatable `value.object_mt`. Its string keys
--     hold the values; its integer keys 1..n hold the key names in order.
--     JSON object keys are always strings, so the two never collide.
--     `pairs(obj)` walks the keys in order; assigning a new key appends it.
-- C code (XML and JSON decoding) builds the same layout directly.
-- Plain tables written by users are accepted everywhere: a non-empty table
-- whose keys are exactly 1..n is an array, anything else an object whose
-- keys are sorted for determinism.

local getmetatable, setmetatable = getmetatable, setmetatable
local rawget, rawset, rawlen = rawget, rawset, rawlen
local next, type, tostring = next, type, tostring
local math_type, table_sort = math.type, table.sort

local M = {}

M.null = setmetatable({}, {
    __name = "aws.null",
    __tostring = function() return "null" end,
    __newindex = function() error("aws.null is read-only", 2) end,
})

-- A date-time that is not a string: only botocore's generated samples
-- (--generate-cli-skeleton output) carry one; YAML writes it plain where a
-- string of the same text would be quoted. t[1] holds the text.
local datetime_mt = { __name = "aws.datetime", __jsontype = "datetime" }
datetime_mt.__tostring = function(t) return t[1] end
M.datetime_mt = datetime_mt
function M.datetime(text) return setmetatable({ text }, datetime_mt) end

local array_mt = { __name = "aws.array" }
local object_mt = { __name = "aws.object" }
M.array_mt, M.object_mt = array_mt, object_mt

-- New keys go to the end of the order; a key that was deleted (value nil)
-- and set again is still in the order list, so it is not appended twice.
function object_mt.__newindex(t, k, v)
    if type(k) ~= "string" then
        error("object keys must be strings, got " .. type(k), 2)
    end
    rawset(t, k, v)
    if v == nil then return end
    local n = rawlen(t)
    for i = 1, n do
        if rawget(t, i) == k then return end
    end
    rawset(t, n + 1, k)
end

-- Iterates keys in insertion order, skipping deleted ones.
local function object_next(t, k)
    local i = 0
    if k ~= nil then
        local n = rawlen(t)
        for j = 1, n do
            if rawget(t, j) == k then i = j break end
        end
    end
    local n = rawlen(t)
    while i < n do
        i = i + 1
        local key = rawget(t, i)
        local v = rawget(t, key)
        if v ~= nil then return key, v end
    end
    return nil
end

function object_mt.__pairs(t)
    return object_next, t, nil
end

-- Number of present keys (not the length of the order list).
function object_mt.__len(t)
    local c = 0
    for i = 1, rawlen(t) do
        if rawget(t, rawget(t, i)) ~= nil then c = c + 1 end
    end
    return c
end

-- Makes an empty object, or one with keys (k1, v1, k2, v2, ...) in order.
function M.object(...)
    local t = setmetatable({}, object_mt)
    local n = select("#", ...)
    for i = 1, n, 2 do
        local k, v = select(i, ...)
        if v ~= nil then t[k] = v end
    end
    return t
end

-- Makes an array from a Lua sequence (taken over, not copied) or empty.
function M.array(t)
    return setmetatable(t or {}, array_mt)
end

local function is_plain_array(t)
    local n = rawlen(t)
    if n == 0 then return false end
    local c = 0
    for k in next, t do
        if math_type(k) ~= "integer" or k < 1 or k > n then return false end
        c = c + 1
    end
    return c == n
end

-- "null", "boolean", "number", "string", "array", "object", or the Lua type
-- for values JSON cannot hold (functions, userdata, ...).
function M.type(v)
    if v == M.null or v == nil then return "null" end
    local ty = type(v)
    if ty ~= "table" then return ty end
    local mt = getmetatable(v)
    if mt == array_mt then return "array" end
    if mt == object_mt then return "object" end
    if mt ~= nil and mt.__jsontype then return mt.__jsontype end
    return is_plain_array(v) and "array" or "object"
end

function M.is_array(v) return M.type(v) == "array" end
function M.is_object(v) return M.type(v) == "object" end

local function key_lt(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    return a < b
end

-- The keys of an object in output order: insertion order for aws objects,
-- sorted for plain tables.
function M.keys(obj)
    local out = {}
    if getmetatable(obj) == object_mt then
        for k in object_next, obj, nil do out[#out + 1] = k end
    else
        for k in next, obj do out[#out + 1] = k end
        table_sort(out, key_lt)
    end
    return out
end

-- Iterates (key, value) of any object in output order.
function M.each(obj)
    local keys, i = M.keys(obj), 0
    return function()
        i = i + 1
        local k = keys[i]
        if k ~= nil then return k, obj[k] end
    end
end

-- Number of elements of an array or keys of an object.
function M.len(v)
    if getmetatable(v) == object_mt then return object_mt.__len(v) end
    if M.type(v) == "object" then
        local c = 0
        for _ in next, v do c = c + 1 end
        return c
    end
    return rawlen(v)
end

-- Deep equality as JSON sees it (1 == 1.0; key order ignored).
function M.equal(a, b)
    local ta, tb = M.type(a), M.type(b)
    if ta ~= tb then return false end
    if ta == "array" then
        local n = rawlen(a)
        if n ~= rawlen(b) then return false end
        for i = 1, n do
            if not M.equal(a[i], b[i]) then return false end
        end
        return true
    elseif ta == "object" then
        if M.len(a) ~= M.len(b) then return false end
        for k, v in M.each(a) do
            local w = b[k]
            if w == nil or not M.equal(v, w) then return false end
        end
        return true
    end
    return a == b
end

return M
