-- aws.rows: data as the rows and columns of a flat table, for the formats
-- that write one row per object (output/csv.lua, output/markdown.lua).
--
--   collect(items [, columns]) -> columns, rows
--     columns: the given names first (each once, in their order), then
--     every key seen, in first-seen order; nested objects flatten into
--     dotted names (AccessKeyLastUsed.Region). An item that is not an
--     object is one "value" column. rows[i] maps a column to the item's
--     value as it is (nil where the item has none); the format renders it.
--   text(v, sep) -> string
--     null is empty, booleans true/false, numbers as JSON writes them, a
--     list of scalars joined with sep, anything else compact JSON.
local value = require "aws.value"
local json = require "aws.json"

local vtype, veach, vlen = value.type, value.each, value.len
local ipairs, tostring = ipairs, tostring
local table_concat = table.concat

local M = {}

-- A scalar's text, or nil for a list or an object.
local function scalar(v)
    local t = vtype(v)
    if t == "null" then return "" end
    if t == "string" then return v end
    if t == "boolean" then return v and "true" or "false" end
    if t == "number" then return json.encode(v) end
    return nil
end

function M.text(v, sep)
    local s = scalar(v)
    if s then return s end
    if vtype(v) == "array" then
        local parts = {}
        for i = 1, #v do
            local p = scalar(v[i])
            if p == nil then return json.encode(v) end
            parts[i] = p
        end
        return table_concat(parts, sep)
    end
    return json.encode(v)
end

-- Flattens one object into row (column -> value), noting new columns.
local function flatten(obj, prefix, row, columns, seen)
    for k, v in veach(obj) do
        local name = prefix .. tostring(k)
        if vtype(v) == "object" and vlen(v) > 0 then
            flatten(v, name .. ".", row, columns, seen)
        else
            if not seen[name] then
                seen[name] = true
                columns[#columns + 1] = name
            end
            row[name] = v
        end
    end
end

function M.collect(items, wanted)
    local columns, seen, rows = {}, {}, {}
    for _, c in ipairs(wanted or {}) do
        if not seen[c] then seen[c] = true columns[#columns + 1] = c end
    end
    for i = 1, #items do
        local item, row = items[i], {}
        if vtype(item) == "object" then
            flatten(item, "", row, columns, seen)
        else
            if not seen.value then
                seen.value = true
                columns[#columns + 1] = "value"
            end
            row.value = item
        end
        rows[i] = row
    end
    return columns, rows
end

return M
