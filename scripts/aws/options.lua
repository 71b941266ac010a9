-- aws.options: the options of aws.client(service, opts), checked before a
-- client is made. An unknown name or a value of the wrong type is misuse,
-- so it raises "bad argument #2 to 'client' (...)" naming the option, with
-- the closest known name when one is close (difflib's ratio, as the AWS
-- CLI suggests close matches). The caller's table is only read: the C
-- client gets a copy.
local type, error, pairs, ipairs, tostring = type, error, pairs, ipairs, tostring
local math_type, string_format, table_sort = math.type, string.format, table.sort

local M = {}

-- name -> accepted Lua types (documented in README "Client options").
M.CLIENT = {
    profile = { "string" }, region = { "string" }, endpoint_url = { "string" },
    ca_bundle = { "string" }, verify_ssl = { "boolean" },
    connect_timeout = { "number" }, read_timeout = { "number" },
    retry_mode = { "string" }, max_attempts = { "integer" },
    correct_clock_skew = { "boolean" }, debug = { "function" },
    timestamp_format = { "string" }, user_agent = { "string" },
    sign = { "boolean" },
    credentials = { "table", "function" }, assume_role = { "table" },
}

M.CREDENTIALS = {
    access_key_id = { "string" }, secret_access_key = { "string" },
    session_token = { "string" }, expiration = { "number", "string" },
}

M.ASSUME_ROLE = {
    role_arn = { "string" }, role_session_name = { "string" },
    external_id = { "string" }, duration_seconds = { "integer" },
    policy = { "string", "table" }, tags = { "table" },
    source_identity = { "string" }, serial_number = { "string" },
    token_code = { "string", "function" }, endpoint_url = { "string" },
}

local function ratio(a, b)
    return require("cli.argparse").ratio(a, b)
end

-- The known name most like `name` (ratio >= 0.6, difflib's default
-- cutoff), or nil.
function M.closest(name, known)
    local best, score = nil, 0.6
    local names = {}
    for k in pairs(known) do names[#names + 1] = k end
    table_sort(names)
    for _, k in ipairs(names) do
        local r = ratio(name, k)
        if r > score or (r == score and not best) then best, score = k, r end
    end
    return best
end

local function kind_of(v)
    if math_type(v) == "integer" then return "integer" end
    return type(v)
end

local function accepts(types, v)
    local t, k = type(v), kind_of(v)
    for _, want in ipairs(types) do
        if want == t or want == k then return true end
    end
    return false
end

local function expected(types)
    if #types == 1 then return types[1] end
    return types[1] .. " or " .. types[2]
end

local function bad(level, msg)
    error("bad argument #2 to 'client' (" .. msg .. ")", level + 1)
end
M.bad = bad

-- Checks t's keys and value types against spec. what: "option" for the
-- top level, "field ... in NAME" below it. level: error level of the
-- user's call, counted from the caller of check_table.
local function check_table(t, spec, prefix, level)
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    table_sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
        local types = type(k) == "string" and spec[k]
        local label = prefix and (prefix .. "." .. tostring(k))
            or ("option '" .. tostring(k) .. "'")
        if not types then
            local where = prefix and (" in " .. prefix) or ""
            local msg = string_format("unknown %s '%s'%s", prefix and "field" or "option",
                tostring(k), where)
            local close = type(k) == "string" and M.closest(k, spec)
            if close then msg = msg .. string_format("; did you mean '%s'?", close) end
            bad(level + 1, msg)
        end
        local v = t[k]
        if not accepts(types, v) then
            bad(level + 1, string_format("%s must be %s %s, got %s", label,
                types[1] == "integer" and "an" or "a", expected(types), type(v)))
        end
    end
end

local function require_string(t, key, prefix, level)
    if type(t[key]) ~= "string" or t[key] == "" then
        bad(level + 1, string_format("%s.%s must be a non-empty string, got %s",
            prefix, key, t[key] == "" and "an empty string" or type(t[key])))
    end
end

-- A credentials table as a script gives it (also what a credentials
-- function returns: then errors are returned, not raised).
function M.check_credentials(c, level)
    check_table(c, M.CREDENTIALS, "credentials", level + 1)
    require_string(c, "access_key_id", "credentials", level + 1)
    require_string(c, "secret_access_key", "credentials", level + 1)
end

-- Raises unless service is one the host knows (scripts/shapes/services.lua).
function M.check_service(service, level)
    local known = require "shapes.services"
    if type(service) ~= "string" then
        error("bad argument #1 to 'client' (string expected, got " .. type(service) .. ")",
            level + 1)
    end
    if not known[service] then
        local names = {}
        for k in pairs(known) do names[#names + 1] = k end
        table_sort(names)
        local close = M.closest(service, known)
        error(string_format("bad argument #1 to 'client' (unsupported service '%s'%s "
            .. "(%s))", service, close and ("; did you mean '" .. close .. "'?") or "",
            table.concat(names, ", ")), level + 1)
    end
end

-- check(opts, level) -> copy of opts for core.client. Raises on misuse.
function M.check(opts, level)
    level = (level or 1) + 1
    if opts == nil then return {} end
    if type(opts) ~= "table" then
        bad(level, "table expected, got " .. type(opts))
    end
    check_table(opts, M.CLIENT, nil, level)
    local ts = opts.timestamp_format
    if ts ~= nil and ts ~= "iso8601" and ts ~= "wire" then
        bad(level, "option 'timestamp_format' must be 'iso8601' or 'wire'")
    end
    for _, k in ipairs({ "connect_timeout", "read_timeout" }) do
        local v = opts[k]
        if v ~= nil and not (v >= 0 and v < 1e7) then
            bad(level, string_format("option '%s' must be between 0 and 1e7 seconds", k))
        end
    end
    if type(opts.credentials) == "table" then
        M.check_credentials(opts.credentials, level)
    end
    local ar = opts.assume_role
    if ar ~= nil then
        check_table(ar, M.ASSUME_ROLE, "assume_role", level)
        require_string(ar, "role_arn", "assume_role", level)
        if ar.token_code ~= nil and ar.serial_number == nil then
            bad(level, "assume_role.token_code needs assume_role.serial_number")
        end
        if ar.serial_number ~= nil and ar.token_code == nil then
            bad(level, "assume_role.serial_number needs assume_role.token_code "
                .. "(a string, or a function returning one)")
        end
    end
    if opts.sign == false and (opts.credentials ~= nil or ar ~= nil) then
        bad(level, "option 'sign' = false cannot be used with credentials or assume_role")
    end
    local copy = {}
    for k, v in pairs(opts) do copy[k] = v end
    copy.credentials, copy.assume_role = nil, nil
    return copy
end

return M
