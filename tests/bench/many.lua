-- many.lua N CONCURRENCY ENDPOINT [ACCESS_KEY_ID]: N GetAccessKeyLastUsed
-- calls through aws.parallel at the given concurrency (credentials and
-- region from the environment). Prints one line "calls=N ok=N seconds=S
-- rate=R" and fails unless every call returned a user name.
local aws = require "aws"
local core = require "aws.core"

local n, conc, url = tonumber(arg[1]), tonumber(arg[2]), arg[3]
local key = arg[4] or "AKIAIOSFODNN7EXAMPLE"
if not (n and conc and url) then
    io.stderr:write("usage: iamlua run many.lua N CONCURRENCY ENDPOINT [KEY_ID]\n")
    return 2
end

local iam = aws.client("iam", { endpoint_url = url })
local list = {}
for i = 1, n do list[i] = key end

local t0 = core.monotonic()
local results, errors = aws.parallel(list, function(k)
    local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = k })
    if not r then error(err) end
    return r.UserName
end, { concurrency = conc })
local dt = core.monotonic() - t0

local ok = 0
for i = 1, n do if results[i] then ok = ok + 1 end end
print(("calls=%d ok=%d seconds=%.4f rate=%.1f"):format(n, ok, dt, n / dt))
if ok ~= n then
    for i = 1, n do
        if errors[i] then io.stderr:write("call ", i, ": ", tostring(errors[i]), "\n") break end
    end
    return 1
end
return 0
