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
local rows = require "aws.rows"

local vtype, vlen = value.type, value.len
local ipairs = ipairs
local table_concat = table.concat

local function quote(s)
    if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
    return s
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
        local columns, cells = rows.collect(items, opts and opts.columns)
        local lines, header = {}, {}
        for i, c in ipairs(columns) do header[i] = quote(c) end
        lines[1] = line(header)
        for i, row in ipairs(cells) do
            local fields = {}
            for j, c in ipairs(columns) do
                fields[j] = quote(rows.text(row[c], ";")) -- nil: ""
            end
            lines[i + 1] = line(fields)
        end
        return table_concat(lines, "\r\n") .. "\r\n"
    end,
}
