-- The aws module's reference (scripts/cli/luaref.lua, the source of
-- `iamlua help lua` and iamlua-lua(3)) against the module itself: every
-- public function and value of `aws`, of its sub-tables and every public
-- client method has an entry with a synopsis, text and an example; every
-- entry names something the module has. Names starting with "_" are the
-- host's own. A new function without documentation fails here.
--
--   ./iamlua run tests/unit/luaref.lua

local aws = require "aws"
local ref = require "cli.luaref"

local failed = 0
local function check(name, problems)
    if #problems == 0 then
        print("ok - " .. name)
    else
        failed = failed + 1
        print("not ok - " .. name .. ": " .. table.concat(problems, "; "))
    end
end

-- Lazily loaded members first, so that pairs() sees them.
local _ = aws.json.encode, aws.yaml.decode

-- Everything public: aws.X, aws.X.Y for the module's tables (one level),
-- client:M for the client methods. Metatables (aws.error_mt,
-- aws.value.*_mt) and aws.null are values, documented as such.
local public = {}
local function add(name) public[#public + 1] = name end
local function is_public(k) return type(k) == "string" and k:sub(1, 1) ~= "_" end
for k, v in pairs(aws) do
    if is_public(k) then
        if type(v) == "table" and getmetatable(v) == nil and k ~= "error_mt" then
            for k2, v2 in pairs(v) do
                if is_public(k2) and (type(v2) == "function" or type(v2) == "table") then
                    add("aws." .. k .. "." .. k2)
                end
            end
        elseif type(v) == "table" and (k == "json" or k == "yaml") then
            for k2 in pairs(v) do if is_public(k2) then add("aws." .. k .. "." .. k2) end end
        else
            add("aws." .. k)
        end
    end
end
local methods = getmetatable(aws.client("iam", { region = "us-east-1" })).__index
for k, v in pairs(methods) do
    if is_public(k) and type(v) == "function" then add("client:" .. k) end
end
table.sort(public)

local entries, order = {}, {}
for _, sec in ipairs(ref.sections) do
    for _, e in ipairs(sec.entries) do
        entries[e.name] = e
        order[#order + 1] = e.name
    end
end

-- The value an entry name refers to, or nil.
local function lookup(name)
    local obj, m = name:match("^client:([%w_]+)$"), nil
    if obj then return methods[obj] end
    local v = { aws = aws }
    for part in name:gmatch("[^.]+") do
        if type(v) ~= "table" then return nil end
        v = v[part]
    end
    return v
end

local missing = {}
for _, name in ipairs(public) do
    if not entries[name] then missing[#missing + 1] = name end
end
check(("every public function and value of aws is in the reference (%d names)"):format(#public),
    #missing == 0 and {} or { "undocumented: " .. table.concat(missing, ", ") })

local stale = {}
for _, name in ipairs(order) do
    if lookup(name) == nil and name ~= "aws.value.null" and name ~= "aws.null" then
        stale[#stale + 1] = name
    end
end
check("every entry of the reference names something the module has",
    #stale == 0 and {} or { "not in the module: " .. table.concat(stale, ", ") })

local thin = {}
for _, name in ipairs(order) do
    local e = entries[name]
    if not (e.synopsis and e.synopsis:find(name:gsub("^client:", ":"), 1, true)
            and e.text and #e.text > 0 and e.example and e.example:find("%S")) then
        thin[#thin + 1] = name
    end
end
check("every entry has a synopsis naming it, a description and an example",
    #thin == 0 and {} or { "incomplete: " .. table.concat(thin, ", ") })

-- The examples are Lua: each compiles.
local bad = {}
for _, name in ipairs(order) do
    local ok, err = load(entries[name].example, "=" .. name, "t")
    if not ok then bad[#bad + 1] = err end
end
for _, n in ipairs(ref.notes) do
    if n.example and not load(n.example, "=" .. n.title, "t") then bad[#bad + 1] = n.title end
end
check("every example compiles", bad)

-- The options client:call and aws.client take are the ones listed: the
-- reference's aws.client items against what core.client refuses.
local opts = {}
for _, it in ipairs(entries["aws.client"].items) do opts[#opts + 1] = it[1] end
local refused = {}
for _, o in ipairs(opts) do
    local ok, err = pcall(aws.client, "iam", { [o] = function() end })
    -- a known option of another type is refused with its name; debug takes
    -- a function
    if not ok and not tostring(err):find(o, 1, true) then refused[#refused + 1] = o .. ": " .. tostring(err) end
end
check("aws.client's documented options are options it knows", refused)

-- `iamlua help lua` renders every entry.
local help = io.popen((arg[-2] or "iamlua") .. " help lua 2>&1")
local text = help and help:read("a") or ""
if help then help:close() end
local absent = {}
for _, name in ipairs(order) do
    if not text:find(entries[name].synopsis, 1, true) then absent[#absent + 1] = name end
end
check("`iamlua help lua` shows every entry's synopsis", absent)

if failed > 0 then os.exit(1) end
