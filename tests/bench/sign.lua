-- sign.lua N [FIELD,...]: aws.sign of one IAM GetAccessKeyLastUsed POST, N
-- times in a loop, reading the named fields of each result (none by
-- default: the result makes a field only when it is read, lsignres.c);
-- prints "sigs=N seconds=S rate=R" (CPU seconds from os.clock).
local aws = require "aws"

local n = tonumber(arg[1]) or 200000
local fields = {}
for f in (arg[2] or ""):gmatch("[%w_]+") do fields[#fields + 1] = f end
local req = {
    method = "POST", url = "https://iam.amazonaws.com/",
    headers = { { "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" } },
    body = "Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=AKIAIOSFODNN7EXAMPLE",
    service = "iam", region = "us-east-1",
    credentials = { access_key_id = "AKIDEXAMPLE",
                    secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
}
local sign = aws.sign
local s = sign(req)
assert(#s.signature == 64 and s.authorization:find("Credential=AKIDEXAMPLE/", 1, true))
for _, f in ipairs(fields) do assert(s[f] ~= nil, "no field " .. f) end

local c0 = os.clock()
if #fields == 0 then
    for _ = 1, n do s = sign(req) end
else
    local nf = #fields
    for _ = 1, n do
        s = sign(req)
        for i = 1, nf do local _ = s[fields[i]] end
    end
end
local dt = os.clock() - c0
print(("sigs=%d seconds=%.4f rate=%.1f"):format(n, dt, n / dt))
