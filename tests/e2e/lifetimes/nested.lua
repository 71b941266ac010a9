-- nested.lua URL DEPTH: the audit's shape, per user then per key, with
-- requests in the outer tasks while inner aws.parallel runs are active
-- (the shape that hung when all schedulers shared one ready list).
-- DEPTH 3 adds a third level per key. Errors at each level: the task for
-- user u03 raises; the inner task for the second key of u05 raises; at
-- depth 3 one lookup per key asks for a key that does not exist (nil,
-- err). The proxy throttles every third request, so retries happen at
-- every level. Prints one line per user, sorted, which test_lifetimes.py
-- compares with the same computation made with boto3:
--   USER KEYID:LASTUSED_SERVICE[:nested-count] ... | error text
local aws = require "aws"
local C = dofile(arg[0]:match("^(.*)/[^/]*$") .. "/common.lua")
local url, depth = arg[1], tonumber(arg[2])
local iam = C.client(aws, url, { max_attempts = 5 })

local users = {}
for u in iam:paginate("ListUsers", {}, "Users") do
    if u.UserName ~= "admin" then users[#users + 1] = u.UserName end
end
table.sort(users)

local function per_key(user, key, i)
    if user == "u05" and i == 2 then error("inner failure for " .. key) end
    local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = key })
    if not r then return nil, err end
    local line = key .. ":" .. tostring(r.AccessKeyLastUsed.ServiceName)
    if depth >= 3 then
        local third, terrs = aws.parallel({ key, "AKIAZZZZZZZZZZZZZZZZ" }, function(k)
            return iam:call("GetAccessKeyLastUsed", { AccessKeyId = k })
        end, { concurrency = 2 })
        local n = 0
        if third[1] and third[1].UserName == user then n = n + 1 end
        if terrs[2] and terrs[2].code == "NoSuchEntity" then n = n + 1 end
        line = line .. ":" .. n
    end
    return line
end

local results, errors = aws.parallel(users, function(user)
    -- A request of the outer task first: it parks while siblings run
    -- their inner schedulers.
    local page = assert(iam:call("ListAccessKeys", { UserName = user }))
    if user == "u03" then error("outer failure for " .. user) end
    local keys = {}
    for _, k in ipairs(page.AccessKeyMetadata) do keys[#keys + 1] = k.AccessKeyId end
    table.sort(keys)
    local lines, lerrs = aws.parallel(keys, function(k)
        for i, x in ipairs(keys) do if x == k then return per_key(user, k, i) end end
    end, { concurrency = 2 })
    local out = {}
    for i = 1, #keys do
        out[#out + 1] = lines[i] or ("error:" .. (tostring(lerrs[i]):match("inner failure") and "inner-failure" or "?"))
    end
    return table.concat(out, " ")
end, { concurrency = 4 })

for i, user in ipairs(users) do
    local e = errors[i] and (tostring(errors[i]):match("outer failure") or tostring(errors[i]))
    print(user .. " " .. (results[i] or ("| " .. e)))
end
