-- aws.params: validating and flattening request parameters for the AWS
-- Query protocol, as botocore's ParamValidator and QuerySerializer do.
-- flatten(params, input_shape [, style]) -> { {name, value}, ... } | nil,
-- message (style "lua": type errors in Lua's words, for scripts)
-- With a shape, members go out in shape order and are validated (required,
-- unknown, type, min length); without one, keys are sorted and tables are
-- lists (1..n) or structures.
local value = require "aws.value"

local type, tostring, pairs, ipairs, pcall, require = type, tostring, pairs, ipairs, pcall, require
local math_type, table_concat, table_sort = math.type, table.concat, table.sort
local string_format = string.format

local M = {}

-- A bytes value (YAML's !!binary) is a table with a metatable whose
-- __jsontype is "bytes"; t[1] holds the bytes.
local function is_bytes(v)
    return type(v) == "table" and value.type(v) == "bytes"
end

-- Python's repr() of bytes: b'...' with \t \n \r \\ and \xNN escapes.
local function bytes_repr(b)
    local q = (b:find("'", 1, true) and not b:find('"', 1, true)) and '"' or "'"
    local esc = { ["\t"] = "\\t", ["\n"] = "\\n", ["\r"] = "\\r", ["\\"] = "\\\\",
                  [q] = "\\" .. q }
    return "b" .. q .. b:gsub("[%c\\'\"\128-\255]", function(c)
        return esc[c] or (c == '"' or c == "'") and c
            or string_format("\\x%02x", c:byte())
    end) .. q
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

-- base64(bytes) -> text: how botocore sends a blob, with = padding (also
-- aws.jsonbody's).
local function base64(s)
    local out = {}
    for i = 1, #s, 3 do
        local a, b, c = s:byte(i, i + 2)
        local n = (a << 16) | ((b or 0) << 8) | (c or 0)
        local q = {}
        for k = 1, 4 do
            local x = (n >> (6 * (4 - k))) & 63
            q[k] = B64:sub(x + 1, x + 1)
        end
        if not b then q[3] = "=" end
        if not c then q[4] = "=" end
        out[#out + 1] = table_concat(q)
    end
    return table_concat(out)
end
M.base64 = base64

-- len() of the str Python holds for s: argv and JSON text are decoded
-- with surrogateescape, so a byte that is not UTF-8 counts as one.
local function str_len(s)
    local n, i = 0, 1
    while true do
        local c, bad = utf8.len(s, i)
        if c then return n + c end
        n = n + utf8.len(s, i, bad - 1) + 1
        i = bad + 1
    end
end

local function python_type(v)
    local ty = type(v)
    if ty == "string" then return "<class 'str'>" end
    if is_bytes(v) then return "<class 'bytes'>" end
    if ty == "boolean" then return "<class 'bool'>" end
    if ty == "number" then
        return math_type(v) == "integer" and "<class 'int'>" or "<class 'float'>"
    end
    if ty == "table" then
        return value.type(v) == "array" and "<class 'list'>" or "<class 'dict'>"
    end
    return "<class '" .. ty .. "'>"
end

-- Python's repr() of a decoded value, as botocore's messages show it.
local function python_repr(v)
    local t = value.type(v)
    if t == "string" then
        return "'" .. v:gsub("\\", "\\\\"):gsub("'", "\\'") .. "'"
    elseif t == "boolean" then
        return v and "True" or "False"
    elseif t == "null" then
        return "None"
    elseif t == "bytes" then
        return bytes_repr(v[1])
    elseif t == "array" then
        local parts = {}
        for i = 1, #v do parts[i] = python_repr(v[i]) end
        return "[" .. table_concat(parts, ", ") .. "]"
    elseif t == "object" then
        local parts = {}
        for k, x in value.each(v) do
            parts[#parts + 1] = python_repr(k) .. ": " .. python_repr(x)
        end
        return "{" .. table_concat(parts, ", ") .. "}"
    end
    return tostring(v)
end

local valid_types = {
    string = { "<class 'str'>" },
    timestamp = { "<class 'datetime.datetime'>", "<class 'str'>" },
    integer = { "<class 'int'>" }, long = { "<class 'int'>" },
    boolean = { "<class 'bool'>" },
    double = { "<class 'float'>", "<class 'decimal.Decimal'>", "<class 'int'>" },
    float = { "<class 'float'>", "<class 'decimal.Decimal'>", "<class 'int'>" },
    structure = { "<class 'dict'>" }, map = { "<class 'dict'>" },
    list = { "<class 'list'>", "<class 'tuple'>" },
    blob = { "<class 'bytes'>", "<class 'bytearray'>", "file-like object" },
}

-- The same messages for a Lua caller (client:call in a script): Lua's
-- type names and value syntax; the CLI keeps botocore's Python wording.
local lua_valid_types = {
    string = "string", timestamp = "string, number (epoch seconds)",
    integer = "number (integer)", long = "number (integer)",
    boolean = "boolean", double = "number", float = "number",
    structure = "table (object)", map = "table (object)",
    list = "table (array)", blob = "string",
}

local function lua_type(v)
    local t = value.type(v)
    if t == "number" then return "number (" .. math_type(v) .. ")" end
    if t == "array" or t == "object" then return "table (" .. t .. ")" end
    if t == "null" then return "aws.null" end
    if t == "bytes" then return "string (bytes)" end
    return type(v)
end

local function lua_repr(v)
    local t = value.type(v)
    if t == "string" then return string_format("%q", v):gsub("\\\n", "\\n") end
    if t == "bytes" then return string_format("%q", v[1]):gsub("\\\n", "\\n") end
    if t == "null" then return "aws.null" end
    if t == "array" or t == "object" then
        local ok, j = pcall(require("aws.json").encode, v)
        return ok and j or tostring(v)
    end
    return tostring(v)
end

local function type_ok(ty, v)
    local lt = type(v)
    if ty == "string" then return lt == "string" end
    if ty == "blob" then return lt == "string" or is_bytes(v) end
    if ty == "timestamp" then return lt == "string" or lt == "number" end
    if ty == "integer" or ty == "long" then return math_type(v) == "integer" end
    if ty == "boolean" then return lt == "boolean" end
    if ty == "double" or ty == "float" then return lt == "number" end
    if ty == "list" then return lt == "table" and value.type(v) == "array" end
    return lt == "table" and value.type(v) == "object"
end

local validate

-- Per validate() call: true for Lua wording.
local lua_style = false

local function check_length(shape, v, path, errs)
    local n
    if type(v) == "string" then n = str_len(v)
    elseif type(v) == "table" then n = value.len(v) end
    if n and shape.min and n < shape.min then
        errs[#errs + 1] = string_format(
            "Invalid length for parameter %s, value: %d, valid min length: %d",
            path, n, shape.min)
    end
end

local function validate_structure(shape, v, path, errs)
    local known = {}
    for _, m in ipairs(shape.members or {}) do
        known[m.name] = m
        if m.required and v[m.name] == nil then
            errs[#errs + 1] = string_format(
                'Missing required parameter in %s: "%s"',
                path == "" and "input" or path, m.name)
        end
    end
    -- botocore reports every unknown key before validating the known ones
    local keys = value.keys(v)
    for _, k in ipairs(keys) do
        if not known[k] then
            local names = {}
            for _, mm in ipairs(shape.members or {}) do names[#names + 1] = mm.name end
            errs[#errs + 1] = string_format(
                'Unknown parameter in %s: "%s", must be one of: %s',
                path == "" and "input" or path, tostring(k),
                table_concat(names, ", "))
        end
    end
    for _, k in ipairs(keys) do
        local m = known[k]
        if m and v[k] ~= value.null then
            validate(m.shape, v[k], path == "" and k or path .. "." .. k, errs)
        end
    end
end

validate = function(shape, v, path, errs)
    local ty = shape.type
    if not type_ok(ty, v) then
        if lua_style then
            errs[#errs + 1] = string_format(
                "Invalid type for parameter %s, value: %s, type: %s, valid types: %s",
                path, lua_repr(v), lua_type(v), lua_valid_types[ty] or ty)
        else
            errs[#errs + 1] = string_format(
                "Invalid type for parameter %s, value: %s, type: %s, valid types: %s",
                path, python_repr(v), python_type(v),
                table_concat(valid_types[ty] or { ty }, ", "))
        end
        return
    end
    if ty == "structure" then
        validate_structure(shape, v, path, errs)
    elseif ty == "list" then
        check_length(shape, v, path, errs)
        for i = 1, #v do validate(shape.member, v[i], path .. "[" .. (i - 1) .. "]", errs) end
    elseif ty == "string" or ty == "map" then
        check_length(shape, v, path, errs)
    elseif shape.min and v < shape.min then -- a number: its value
        errs[#errs + 1] = string_format(
            "Invalid value for parameter %s, value: %s, valid min value: %s",
            path, lua_style and lua_repr(v) or python_repr(v), tostring(shape.min))
    end
end

local function scalar(v)
    if type(v) == "boolean" then return v and "true" or "false" end
    if math_type(v) == "float" and v == v // 1 and v >= -2^53 and v <= 2^53 then
        return string_format("%d", v)
    end
    return tostring(v)
end

local function sorted_keys(t)
    local ks = {}
    for k in pairs(t) do
        if type(k) == "string" then ks[#ks + 1] = k end
    end
    table_sort(ks)
    return ks
end

local serialize

local function serialize_list(out, prefix, v, shape)
    if #v == 0 then
        out[#out + 1] = { prefix, "" }
        return
    end
    local mname = shape and shape.member_name or "member"
    for i = 1, #v do
        serialize(out, prefix .. "." .. mname .. "." .. i, v[i],
            shape and shape.member)
    end
end

local function serialize_map(out, prefix, v, shape)
    local i = 0
    for _, k in ipairs(value.keys(v)) do
        i = i + 1
        local p = prefix .. ".entry." .. i
        out[#out + 1] = { p .. ".key", scalar(k) }
        serialize(out, p .. ".value", v[k], shape and shape.value)
    end
end

serialize = function(out, prefix, v, shape)
    if v == nil or v == value.null then return end
    local ty = shape and shape.type
    if is_bytes(v) then -- botocore sends blobs base64-encoded
        out[#out + 1] = { prefix, base64(v[1]) }
    elseif type(v) ~= "table" then
        out[#out + 1] = { prefix, scalar(v) }
    elseif ty == "list" or (not shape and value.type(v) == "array") then
        serialize_list(out, prefix, v, shape)
    elseif ty == "map" then
        serialize_map(out, prefix, v, shape)
    else
        local function join(k) return prefix == "" and k or prefix .. "." .. k end
        if shape and shape.members then
            for _, m in ipairs(shape.members) do
                serialize(out, join(m.location_name or m.name), v[m.name], m.shape)
            end
        else
            local ks = getmetatable(v) == value.object_mt and value.keys(v)
                or sorted_keys(v)
            for _, k in ipairs(ks) do serialize(out, join(k), v[k], nil) end
        end
    end
end

-- validate(params, shape [, style]) -> true | nil, message; style "lua"
-- words type errors for a Lua caller, else as botocore (the CLI).
function M.validate(params, shape, style)
    local errs = {}
    lua_style = style == "lua"
    validate(shape, params, "", errs)
    if #errs > 0 then
        return nil, "Parameter validation failed:\n" .. table_concat(errs, "\n")
    end
    return true
end

-- (host-only) flatten without validation, as botocore's serializer runs when the
-- profile says parameter_validation = false: members in shape order, what
-- the shape does not know left out, scalars as they are.
function M._serialize(params, shape)
    local out = {}
    serialize(out, "", params, shape)
    return out
end

function M.flatten(params, shape, style)
    if shape then
        local ok, err = M.validate(params, shape, style)
        if not ok then return nil, err end
    end
    local out = {}
    serialize(out, "", params, shape)
    return out
end

return M
