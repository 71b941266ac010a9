-- aws.time: ISO 8601 timestamps as IAM sends them and the CLI prints them.
local tonumber, os_time, type, math = tonumber, os.time, type, math
local M = {}

-- Days since 1970-01-01 of a proleptic Gregorian date (no time zone games:
-- os.time would apply the local zone).
local function days_from_civil(y, m, d)
    y = m <= 2 and y - 1 or y
    local era = (y >= 0 and y or y - 399) // 400
    local yoe = y - era * 400
    local mp = (m + 9) % 12
    local doy = (153 * mp + 2) // 5 + d - 1
    local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468
end

-- parse("2024-02-29T13:07:42Z" | "...+00:00" | "...42.123Z") -> epoch
-- seconds (a float when there are fractions), or nil, message.
function M.parse(s)
    if type(s) ~= "string" then return nil, "timestamp string expected" end
    local y, mo, d, h, mi, sec, rest =
        s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d):(%d%d)(.*)$")
    if not y then
        y, mo, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
        if not y then return nil, "invalid timestamp: " .. s end
        h, mi, sec, rest = 0, 0, 0, "Z"
    end
    local frac, zone = rest:match("^(%.%d+)(.*)$")
    if not frac then frac, zone = nil, rest end
    local off = 0
    if zone ~= "Z" and zone ~= "z" and zone ~= "" then
        local sign, oh, om = zone:match("^([+-])(%d%d):?(%d%d)$")
        if not sign then return nil, "invalid timestamp: " .. s end
        off = (tonumber(oh) * 3600 + tonumber(om) * 60) * (sign == "-" and -1 or 1)
    end
    y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
    h, mi, sec = tonumber(h), tonumber(mi), tonumber(sec)
    -- An impossible date is an error, not a silently shifted time (month
    -- 13 would be next January); 60 allows a leap second.
    local mdays = { 31, (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 29 or 28,
                    31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
    if mo < 1 or mo > 12 or d < 1 or d > mdays[mo] or h > 23 or mi > 59
        or sec > 60 then
        return nil, "invalid timestamp: " .. s
    end
    local oh_ok = off == 0 or (math.abs(off) <= 14 * 3600)
    if not oh_ok then return nil, "invalid timestamp: " .. s end
    local t = days_from_civil(y, mo, d) * 86400
        + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec) - off
    if frac then return t + tonumber("0" .. frac) end
    return t
end

-- now() -> epoch seconds
function M.now() return os_time() end

return M
