-- --output csv: a list of objects (or one object) as RFC 4180 CSV, one row
-- per object, for spreadsheets and `csv` readers.
--
-- Columns: opts.columns when given (that order), else every key seen, in
-- first-seen order; nested objects flatten into dotted names
-- (AccessKeyLastUsed.Region). Cells: null is empty, booleans true/false,
-- numbers as JSON writes them, a list of scalars joined with ";" (a;b), a
-- list holding objects as compact JSON. A list of scalars (or a scalar,
-- e.g. after --query) is one "value" column; null or an empty result
-- prints nothing. Fields holding a comma, a double quote, CR or LF are
-- quoted with quotes doubled; a row that is one empty field is written ""
-- so it is not a blank line; lines end in CRLF as RFC 4180 says.
local value = require "aws.value"
local json = require "aws.json"

local vtype, veach, vlen = value.type, value.each, value.len
local ipairs, tostring = ipairs, tostring
local table_concat = table.concat

local function scalar(v)
    local t = vtype(v)
    if t == "null" then return "" end
    if t == "string" then return v end
    if t == "boolean" then return v and "true" or "false" end
    if t == "number" then return json.encode(v) end
    return nil
end

local function cell(v)
    local s = scalar(v)
    if s then return s end
    if vtype(v) == "array" then
        local parts = {}
        for i = 1, #v do
            local p = scalar(v[i])
            if p == nil then return json.encode(v) end
            parts[i] = p
        end
        return table_concat(parts, ";")
    end
    return json.encode(v)
end

local function quote(s)
    if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
    return s
end

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
            row[name] = cell(v)
        end
    end
end

local function line(fields)
    if #fields == 1 and fields[1] == "" then return '""' end
    return table_concat(fields, ",")
end

return {
    format = function(data, opts)
        local t = vtype(data)
        local items
        if t == "array" then
            items = data
        elseif t == "null" or (t == "object" and vlen(data) == 0) then
            return ""
        else
            items = { data }
        end
        if #items == 0 then return "" end
        local columns, seen, rows = {}, {}, {}
        if opts and opts.columns then
            for _, c in ipairs(opts.columns) do
                if not seen[c] then seen[c] = true columns[#columns + 1] = c end
            end
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
                row.value = cell(item)
            end
            rows[i] = row
        end
        local lines, header = {}, {}
        for i, c in ipairs(columns) do header[i] = quote(c) end
        lines[1] = line(header)
        for i, row in ipairs(rows) do
            local fields = {}
            for j, c in ipairs(columns) do fields[j] = quote(row[c] or "") end
            lines[i + 1] = line(fields)
        end
        return table_concat(lines, "\r\n") .. "\r\n"
    end,
}
