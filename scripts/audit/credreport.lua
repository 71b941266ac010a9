-- audit.credreport: the IAM credential report (GetCredentialReport's CSV)
-- as typed rows, one per user and one for `<root_account>`.
--
-- Typed as iam:call types its results: `true`/`false` columns become
-- booleans, dates stay ISO 8601 strings (checked to be real dates), and
-- IAM's placeholders for "no value" (N/A, no_information, not_supported)
-- become aws.null. A report that is not what IAM writes — a missing
-- column, a row with the wrong number of fields, a date that is not a
-- date, a boolean that is not one — is an error naming the line, never a
-- row with holes, so a check never decides on garbage.
local value = require "aws.value"

local null = value.null
local aws_time_parse = require("aws.time").parse
local ipairs, tostring, type = ipairs, tostring, type
local string_format, string_find, string_sub = string.format, string.find, string.sub

local M = {}

-- Columns the shipped checks read; any of them missing is an error.
M.REQUIRED = {
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
}

local KIND = {
    user_creation_time = "date", password_last_used = "date", password_last_changed = "date",
    password_next_rotation = "date", access_key_1_last_rotated = "date",
    access_key_1_last_used_date = "date", access_key_2_last_rotated = "date",
    access_key_2_last_used_date = "date", cert_1_last_rotated = "date", cert_2_last_rotated = "date",
    password_enabled = "bool", mfa_active = "bool", access_key_1_active = "bool",
    access_key_2_active = "bool", cert_1_active = "bool", cert_2_active = "bool",
}

local PLACEHOLDER = { ["N/A"] = true, no_information = true, not_supported = true }

M.ROOT = "<root_account>"

-- A date as IAM writes them (2024-02-29T13:07:42+00:00, also with Z or
-- fractions) that is a real instant: aws.time.parse refuses impossible
-- dates and offsets, so the two never disagree.
local function valid_date(s)
    return s:find("^%d%d%d%d%-%d%d%-%d%dT") ~= nil and aws_time_parse(s) ~= nil
end
M.valid_date = valid_date

-- One CSV record starting at `pos` of `text` (RFC 4180: quoted fields may
-- hold commas, quotes doubled, line breaks). Returns fields, next position
-- | nil, message.
local function record(text, pos)
    local fields, n = {}, 0
    local len = #text
    while true do
        local c = string_sub(text, pos, pos)
        local field
        if c == '"' then
            local parts, i = {}, pos + 1
            while true do
                local q = string_find(text, '"', i, true)
                if not q then return nil, "unterminated quoted field" end
                parts[#parts + 1] = string_sub(text, i, q - 1)
                if string_sub(text, q + 1, q + 1) == '"' then
                    parts[#parts + 1] = '"'
                    i = q + 2
                else
                    pos = q + 1
                    break
                end
            end
            field = table.concat(parts)
            c = string_sub(text, pos, pos)
            if c ~= "," and c ~= "\n" and c ~= "\r" and c ~= "" then
                return nil, "text after a closing quote"
            end
        else
            local e = string_find(text, "[,\r\n]", pos)
            e = e or len + 1
            field = string_sub(text, pos, e - 1)
            if string_find(field, '"', 1, true) then return nil, "quote inside an unquoted field" end
            pos = e
            c = string_sub(text, pos, pos)
        end
        n = n + 1
        fields[n] = field
        if c == "," then
            pos = pos + 1
        else
            if c == "\r" and string_sub(text, pos + 1, pos + 1) == "\n" then pos = pos + 1 end
            return fields, pos + 1
        end
    end
end

local function typed(col, raw, line)
    local kind = KIND[col]
    if PLACEHOLDER[raw] and col ~= "user" and col ~= "arn" then return null end
    if kind == "bool" then
        if raw == "true" then return true end
        if raw == "false" then return false end
        return nil, string_format("line %d: column %s: expected true or false, got %q", line, col, raw)
    elseif kind == "date" then
        if not valid_date(raw) then
            return nil, string_format("line %d: column %s: invalid date %q", line, col, raw)
        end
    end
    return raw
end

-- parse(csv) -> rows | nil, message. rows: an aws.value array of objects
-- keyed by the header's column names, in the report's order.
function M.parse(text)
    if type(text) ~= "string" then return nil, "credential report: no content" end
    local header, pos = record(text, 1)
    if not header or header[1] == "" then
        return nil, "credential report: no header line" .. (pos and (": " .. tostring(pos)) or "")
    end
    local seen = {}
    for i, col in ipairs(header) do
        if seen[col] then return nil, "credential report: column " .. col .. " appears twice" end
        seen[col] = i
    end
    for _, col in ipairs(M.REQUIRED) do
        if not seen[col] then
            return nil, "credential report: column " .. col .. " is missing"
        end
    end
    local rows, line = value.array({}), 1
    local len = #text
    while pos <= len do
        line = line + 1
        local fields, nxt = record(text, pos)
        if not fields then
            return nil, string_format("credential report: line %d: %s", line, nxt)
        end
        pos = nxt
        if not (#fields == 1 and fields[1] == "") then -- blank line
            if #fields ~= #header then
                return nil, string_format("credential report: line %d: %d fields, the header has %d",
                    line, #fields, #header)
            end
            local row = value.object()
            for i, col in ipairs(header) do
                local v, err = typed(col, fields[i], line)
                if v == nil then return nil, "credential report: " .. err end
                row[col] = v
            end
            if row.user == "" then
                return nil, string_format("credential report: line %d: empty user", line)
            end
            rows[#rows + 1] = row
        end
    end
    return rows
end

-- The <root_account> row of parsed rows, or nil.
function M.root(rows)
    for _, row in ipairs(rows) do
        if row.user == M.ROOT then return row end
    end
    return nil
end

return M
