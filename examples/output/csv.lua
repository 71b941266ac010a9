-- A user output format: `--output csv` writes a list of objects (or one object) as RFC 4180 CSV.
--
-- Install: copy to ~/.config/iamlua/output/csv.lua (or a directory on
-- $IAMLUA_PATH), then `iamlua iam get-access-key-last-used --access-key-id
-- AKIA... --output csv`:
--
--   UserName,AccessKeyLastUsed.LastUsedDate,AccessKeyLastUsed.ServiceName,AccessKeyLastUsed.Region
--   alice,2024-02-29T13:07:42+00:00,iam,us-east-1
--
-- One row per object; the header is every key seen, in first-seen order.
-- Nested objects are flattened into dotted column names, lists are written
-- as compact JSON, null is an empty cell. A list of scalars (or a scalar,
-- e.g. from --query) becomes a single "value" column; null or an empty
-- result prints nothing. Fields holding a comma, a double quote, CR or LF
-- are quoted, quotes doubled, and a row that is one empty field is written
-- "" so it is not a blank line; lines end in CRLF as RFC 4180 says.

local value = require("aws.value")
local json = require("aws.json")

local function cell(v)
    local t = value.type(v)
    if t == "null" then return "" end
    if t == "string" then return v end
    if t == "boolean" then return v and "true" or "false" end
    return json.encode(v)       -- numbers as JSON writes them, lists as JSON
end

local function quote(s)
    if s:find('[,"\r\n]') then
        return '"' .. s:gsub('"', '""') .. '"'
    end
    return s
end

-- Flattens one object into `row` (column -> text), noting new columns.
local function flatten(obj, prefix, row, columns, seen)
    for k, v in value.each(obj) do
        local name = prefix .. tostring(k)
        if value.type(v) == "object" and value.len(v) > 0 then
            flatten(v, name .. ".", row, columns, seen)
        else
            if not seen[name] then
                seen[name] = true
                columns[#columns + 1] = name
            end
            row[name] = cell(v)
        end
    end
end

return {
    format = function(data, opts)
        local t = value.type(data)
        local items
        if t == "array" then
            items = data
        elseif t == "null" or (t == "object" and value.len(data) == 0) then
            return ""
        else
            items = { data }
        end
        if #items == 0 then return "" end

        local columns, seen, rows = {}, {}, {}
        for i = 1, #items do
            local item, row = items[i], {}
            if value.type(item) == "object" then
                flatten(item, "", row, columns, seen)
            else
                if not seen.value then
                    seen.value = true
                    columns[#columns + 1] = "value"
                end
                row.value = cell(item)
            end
            rows[i] = row
        end

        local lines = {}
        local header = {}
        for i, c in ipairs(columns) do header[i] = quote(c) end
        if #columns == 1 and header[1] == "" then header[1] = '""' end
        lines[1] = table.concat(header, ",")
        for i, row in ipairs(rows) do
            local fields = {}
            for j, c in ipairs(columns) do fields[j] = quote(row[c] or "") end
            if #columns == 1 and fields[1] == "" then fields[1] = '""' end
            lines[i + 1] = table.concat(fields, ",")
        end
        return table.concat(lines, "\r\n") .. "\r\n"
    end,
}
