-- --output markdown: a GitHub-flavoured Markdown table (one row per object, or Key | Value for one object).
--
--   | check | title | severity | status | ... |
--   | --- | --- | --- | --- | ... |
--   | cis-1.14 | Ensure access keys are rotated ... | medium | FAIL | ... |
--
-- A list of objects: the header is opts.columns when given, else every key
-- seen, in first-seen order; nested objects are flattened into dotted
-- column names. One object: a two-column Key | Value table. A list of
-- scalars: one "value" column. A scalar: the value on a line of its own.
-- null, an empty list or an empty object print nothing.
-- Cells: null is empty, a list of scalars is joined with ", ", anything else
-- nested is compact JSON. `|` is escaped as `\|` (also inside code spans,
-- as GitHub's table parser requires), a backslash as `\\`, line breaks
-- become <br>, and HTML-special characters <, >, & are written as entities
-- so a value cannot inject markup into the rendered page.

local value = require("aws.value")
local json = require("aws.json")

local vtype, veach, vlen = value.type, value.each, value.len
local table_concat, ipairs, tostring = table.concat, ipairs, tostring

local ENTITIES = { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;" }

local function escape(s)
    s = s:gsub("\\", "\\\\")
    s = s:gsub("|", "\\|")
    s = s:gsub("[<>&]", ENTITIES)
    s = s:gsub("\r\n", "<br>"):gsub("[\r\n]", "<br>")
    return s
end

local function scalar_text(v)
    local t = vtype(v)
    if t == "null" then return "" end
    if t == "string" then return v end
    if t == "boolean" then return v and "true" or "false" end
    if t == "number" then return json.encode(v) end
    return nil
end

local function cell(v)
    local s = scalar_text(v)
    if s then return escape(s) end
    if vtype(v) == "array" then
        local parts = {}
        for i = 1, #v do
            local p = scalar_text(v[i])
            if p == nil then return escape(json.encode(v)) end
            parts[i] = p
        end
        return escape(table_concat(parts, ", "))
    end
    return escape(json.encode(v))
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

local function line(cells)
    return "| " .. table_concat(cells, " | ") .. " |"
end

local function rule(n)
    local r = {}
    for i = 1, n do r[i] = "---" end
    return line(r)
end

return {
    format = function(data, opts)
        local t = vtype(data)
        if t == "null" then return "" end
        if t ~= "array" and t ~= "object" then
            return escape(scalar_text(data) or json.encode(data)) .. "\n"
        end
        if vlen(data) == 0 then return "" end

        local out = {}
        if t == "object" then
            local row, columns, seen = {}, {}, {}
            flatten(data, "", row, columns, seen)
            out[1] = "| Key | Value |"
            out[2] = rule(2)
            for _, c in ipairs(columns) do
                out[#out + 1] = line({ escape(c), cell(row[c]) })
            end
            return table_concat(out, "\n") .. "\n"
        end

        local columns, seen, rows = {}, {}, {}
        for _, c in ipairs(opts and opts.columns or {}) do
            if not seen[c] then seen[c] = true columns[#columns + 1] = c end
        end
        for i = 1, #data do
            local item, row = data[i], {}
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
        local header = {}
        for i, c in ipairs(columns) do header[i] = escape(c) end
        out[1] = line(header)
        out[2] = rule(#columns)
        for _, row in ipairs(rows) do
            local cells = {}
            for j, c in ipairs(columns) do cells[j] = cell(row[c]) end
            out[#out + 1] = line(cells)
        end
        return table_concat(out, "\n") .. "\n"
    end,
}
