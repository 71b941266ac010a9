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
local rows = require("aws.rows")

local vtype, vlen = value.type, value.len
local table_concat, ipairs = table.concat, ipairs

local ENTITIES = { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;" }

local function escape(s)
    s = s:gsub("\\", "\\\\")
    s = s:gsub("|", "\\|")
    s = s:gsub("[<>&]", ENTITIES)
    s = s:gsub("\r\n", "<br>"):gsub("[\r\n]", "<br>")
    return s
end

local function cell(v)
    return escape(rows.text(v, ", "))
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
            return cell(data) .. "\n"
        end
        if vlen(data) == 0 then return "" end

        local out = {}
        if t == "object" then
            local columns, one = rows.collect({ data })
            local row = one[1]
            out[1] = "| Key | Value |"
            out[2] = rule(2)
            for _, c in ipairs(columns) do
                out[#out + 1] = line({ escape(c), cell(row[c]) })
            end
            return table_concat(out, "\n") .. "\n"
        end

        local columns, cells = rows.collect(data, opts and opts.columns)
        local header = {}
        for i, c in ipairs(columns) do header[i] = escape(c) end
        out[1] = line(header)
        out[2] = rule(#columns)
        for _, row in ipairs(cells) do
            local texts = {}
            for j, c in ipairs(columns) do texts[j] = cell(row[c]) end
            out[#out + 1] = line(texts)
        end
        return table_concat(out, "\n") .. "\n"
    end,
}
