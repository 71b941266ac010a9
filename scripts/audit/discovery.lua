-- audit.discovery: finds and loads policy files.
--
-- Order (a later one with the same id replaces an earlier one):
--   1. the shipped policies (scripts/policies/, in the binary);
--   2. policies/*.lua in the user directories of DESIGN 1.4 ($IAMLUA_PATH,
--      else $XDG_CONFIG_HOME/iamlua, else ~/.config/iamlua), the first
--      directory of $IAMLUA_PATH winning over later ones as it does for
--      output formats;
--   3. *.lua in each --policies DIR, in the order given.
-- Within a directory files load in name order. A file that does not load
-- (syntax error, raises, returns no valid policy) still becomes a policy:
-- one whose check raises the load error, so the audit reports it as ERROR
-- instead of dropping it silently.
local findings = require "audit.findings"
local shipped = require "audit.shipped"

local require, loadfile, pcall, type, tostring, ipairs, pairs, error =
    require, loadfile, pcall, type, tostring, ipairs, pairs, error
local io_popen, os_getenv = io.popen, os.getenv
local table_sort = table.sort

local M = {}

-- The user directories, first first.
function M.user_dirs()
    local dirs = {}
    local p = os_getenv("IAMLUA_PATH")
    if p and p ~= "" then
        for d in p:gmatch("[^:]+") do dirs[#dirs + 1] = d end
    else
        local xdg, home = os_getenv("XDG_CONFIG_HOME"), os_getenv("HOME")
        if xdg and xdg ~= "" then
            dirs[1] = xdg .. "/iamlua"
        elseif home and home ~= "" then
            dirs[1] = home .. "/.config/iamlua"
        end
    end
    return dirs
end

-- user_file(rel) -> the path of rel in the first user directory holding
-- it, or nil.
function M.user_file(rel)
    for _, d in ipairs(M.user_dirs()) do
        local path = d .. "/" .. rel
        local f = io.open(path, "r")
        if f then
            f:close()
            return path
        end
    end
    return nil
end

local function shell_quote(s)
    return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- The *.lua files directly in dir, sorted; {} when it does not exist. Lua
-- has no directory listing, so ls does it (the name is quoted, never
-- interpreted).
function M.lua_files(dir)
    local out = {}
    local p = io_popen("ls -1 -- " .. shell_quote(dir) .. " 2>/dev/null")
    if not p then return out end
    for name in p:lines() do
        if name:match("%.lua$") and not name:match("^%.") then out[#out + 1] = dir .. "/" .. name end
    end
    p:close()
    table_sort(out)
    return out
end

local SEV = findings.RANK

-- Checks a loaded policy table; returns it or nil, message.
function M.validate(p)
    if type(p) ~= "table" then return nil, "a policy file must return a table, got " .. type(p) end
    if type(p.id) ~= "string" or not p.id:match("^[%w][%w_.:-]*$") then
        return nil, "the policy has no valid id (letters, digits, '-', '_', '.', ':')"
    end
    if type(p.check) ~= "function" then return nil, p.id .. ": check must be a function" end
    if p.remediate ~= nil and type(p.remediate) ~= "function" then
        return nil, p.id .. ": remediate must be a function"
    end
    if p.title ~= nil and type(p.title) ~= "string" then return nil, p.id .. ": title must be a string" end
    p.severity = p.severity or "medium"
    if not SEV[p.severity] then
        return nil, p.id .. ": severity must be one of informational, low, medium, high, critical"
    end
    if p.params ~= nil then
        if type(p.params) ~= "table" then return nil, p.id .. ": params must be a table" end
        for k, v in pairs(p.params) do
            local t = type(v)
            if type(k) ~= "string" or not k:match("^[%a_][%w_]*$") or
                (t ~= "number" and t ~= "string" and t ~= "boolean") then
                return nil, p.id .. ": params must map names to numbers, strings or booleans"
            end
        end
    end
    if p.framework ~= nil and type(p.framework) ~= "table" then
        return nil, p.id .. ": framework must be a table"
    end
    return p
end

-- A stand-in for a file that did not load: its check raises why.
local function broken(path, why)
    local id = path:match("([^/]+)%.lua$") or path
    return { id = id, title = "policy file " .. path .. " did not load", severity = "high",
             resource_type = "Other", source = path, broken = why,
             check = function() error(why, 0) end }
end

function M.load_file(path)
    local chunk, err = loadfile(path, "t")
    if not chunk then return broken(path, err) end
    local ok, p = pcall(chunk)
    if not ok then return broken(path, path .. ": " .. tostring(p)) end
    local v, verr = M.validate(p)
    if not v then return broken(path, path .. ": " .. verr) end
    v.source = path
    return v
end

-- load(extra_dirs) -> policies (list, in discovery order with
-- replacements in place), by_id
function M.load(extra_dirs)
    local list, by_id = {}, {}
    local function add(p)
        local old = by_id[p.id]
        if old then
            for i, q in ipairs(list) do
                if q == old then list[i] = p break end
            end
        else
            list[#list + 1] = p
        end
        by_id[p.id] = p
    end
    for _, id in ipairs(shipped.policies) do
        local p = require("policies." .. id)
        p.source = "shipped"
        add(p)
    end
    local dirs = M.user_dirs()
    for i = #dirs, 1, -1 do
        for _, path in ipairs(M.lua_files(dirs[i] .. "/policies")) do add(M.load_file(path)) end
    end
    for _, d in ipairs(extra_dirs or {}) do
        for _, path in ipairs(M.lua_files(d)) do add(M.load_file(path)) end
    end
    return list, by_id
end

return M
