-- exit.lua URL MODE: ends the process with requests in every state (in
-- flight and parked, waiting out a backoff, waiting on aws.once), so that
-- lua_close finalizes request boxes, clients and the transport in
-- whatever order it picks. MODE: "task" (os.exit(7, true) from a task),
-- "nested" (from a task of an inner aws.parallel), "main" (the main chunk
-- exits after fail_fast abandoned tasks in every state), "gc"
-- (everything unreachable, collected, then os.exit).
local aws = require "aws"
local C = dofile(arg[0]:match("^(.*)/[^/]*$") .. "/common.lua")
local url, mode = arg[1], arg[2]
local iam = C.client(aws, url)
local other = C.client(aws, url)
local slow_value = aws.once(function()
    return iam:call("ListUsers", { PathPrefix = "/slow/" })
end)

local function busy(role)
    if role == "slow" then return iam:call("ListUsers", { PathPrefix = "/slow/" }) end
    if role == "queued" then return other:call("ListUsers", { PathPrefix = "/queued/x/" }) end
    if role == "once" then return slow_value() end
    if role == "once2" then return slow_value() end
end

if mode == "task" or mode == "nested" then
    aws.parallel({ "slow", "queued", "once", "once2", "exit" }, function(role)
        if role ~= "exit" then return busy(role) end
        iam:call("ListUsers", { MaxItems = 1 })
        if mode == "task" then os.exit(7, true) end
        aws.parallel({ "slow", "exit" }, function(r2)
            if r2 == "slow" then return busy("slow") end
            iam:call("ListUsers", { MaxItems = 1 })
            os.exit(7, true)
        end)
    end, { concurrency = 5 })
elseif mode == "main" then
    -- fail_fast abandons the others while they are parked, queued and
    -- waiting on aws.once; the main chunk then exits closing the state.
    local _, errs = aws.parallel({ "slow", "queued", "once", "once2", "fail" }, function(role)
        if role ~= "fail" then return busy(role) end
        iam:call("ListUsers", { MaxItems = 1 })
        error("stop the others")
    end, { concurrency = 5, fail_fast = true })
    print(errs[5] and "abandoned" or "not abandoned")
    os.exit(7, true)
elseif mode == "gc" then
    aws.parallel({ "slow", "exit" }, function(role)
        if role == "slow" then return busy("slow") end
        iam:call("ListUsers", { MaxItems = 1 })
        iam, other = nil, nil
        collectgarbage("collect")
        os.exit(7, true)
    end)
end
print("not reached")
os.exit(1)
