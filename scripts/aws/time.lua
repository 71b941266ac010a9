-- aws.time: ISO 8601 timestamps as IAM sends them and the CLI prints them.
local tonumber, os_time = tonumber, os.time
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
    local t = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400
        + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec) - off
    if frac then return t + tonumber("0" .. frac) end
    return t
end

-- now() -> epoch seconds
function M.now() return os_time() end

return M
