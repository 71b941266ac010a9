-- sign.lua N: aws.sign of one IAM GetAccessKeyLastUsed POST, N times in a
-- loop; prints "sigs=N seconds=S rate=R" (CPU seconds from os.clock).
local aws = require "aws"

local n = tonumber(arg[1]) or 200000
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

local c0 = os.clock()
for _ = 1, n do s = sign(req) end
local dt = os.clock() - c0
print(("sigs=%d seconds=%.4f rate=%.1f"):format(n, dt, n / dt))
