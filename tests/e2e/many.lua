-- many.lua URL N: N GetAccessKeyLastUsed calls at concurrency 64 through
-- aws.parallel, keeping one boolean per task. Prints "ok N" when every
-- call returned the canned answer. test_parallel.py compares the peak RSS
-- of a short and a long run: the difference is what each request leaves
-- behind.
local aws = require "aws"
local url, n = arg[1], tonumber(arg[2])
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1" })
local items = {}
for i = 1, n do items[i] = ("AKIA%016d"):format(i) end
local res = aws.parallel(items, function(k)
    local r = iam:call("GetAccessKeyLastUsed", { AccessKeyId = k })
    return r ~= nil and r.UserName == "canned"
end, { concurrency = 64 })
local good = 0
for i = 1, n do if res[i] then good = good + 1 end end
print(good == n and ("ok " .. n) or ("short " .. good .. "/" .. n))
