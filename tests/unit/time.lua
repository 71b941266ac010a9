-- time.lua: aws.time.parse against GNU date(1) as the oracle for valid
-- timestamps, and impossible dates refused (nil, message), not shifted.
local aws = require "aws"
local passed, failed = 0, 0
local function check(name, cond, detail)
    if cond then passed = passed + 1; print("ok - " .. name)
    else failed = failed + 1; print("not ok - " .. name .. ": " .. tostring(detail)) end
end

local function gnu_date(s)
    local p = io.popen("TZ=UTC date -u -d '" .. s .. "' +%s 2>/dev/null")
    local out = p:read("a")
    p:close()
    return tonumber(out)
end

for _, s in ipairs{ "2024-02-29T13:07:42Z", "1970-01-01T00:00:00Z",
                    "2000-02-29T23:59:59Z", "2026-12-07T13:24:24+01:00",
                    "2026-12-07T13:24:24-05:30", "1999-12-31", "2038-01-19T03:14:08Z",
                    "2100-03-01T00:00:00Z" } do
    local want, got = gnu_date(s), aws.time.parse(s)
    check("parse " .. s .. " as date(1) does", want and got == want,
        tostring(got) .. " vs " .. tostring(want))
end
local f = aws.time.parse("2024-01-01T00:00:00.25Z")
check("fractions of a second are kept", f == gnu_date("2024-01-01T00:00:00Z") + 0.25, f)
for _, s in ipairs{ "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
                    "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z", "2024-04-31",
                    "2024-01-31T24:00:00Z", "2024-01-31T23:60:00Z",
                    "2024-01-01T00:00:00+25:00", "2024-01-01", "yesterday" } do
    local v, err = aws.time.parse(s)
    if s == "2024-01-01" then
        check("a date alone is midnight UTC", v == gnu_date("2024-01-01T00:00:00Z"), v)
    else
        check("impossible timestamp refused: " .. s, v == nil and err and err:find("invalid", 1, true), v)
    end
end
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0)
