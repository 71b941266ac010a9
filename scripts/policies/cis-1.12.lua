-- CIS AWS Foundations Benchmark v3.0.0 1.12: console passwords and access keys unused for `max_unused_days` or more are disabled.
--
-- Passwords from the credential report (a password never used counts from
-- when it was set); keys from ListAccessKeys and GetAccessKeyLastUsed (the
-- report does not name keys), a never-used key counting from its creation.
-- Keys younger than `grace_days` are exempt. Resources: the user name for a
-- password, the access key id for a key.
local aws = require "aws"
local ipairs, pcall, tostring = ipairs, pcall, tostring
local null = aws.null
local ROOT = "<root_account>"

local function passwords(ctx)
    local max = ctx.params.max_unused_days
    for _, row in ipairs(ctx.facts:credential_report()) do
        if row.user ~= ROOT then
            local extra = { resource_arn = row.arn, part = "password", user = row.user }
            if row.password_enabled ~= true then
                ctx:pass(row.user, "no console password", extra)
            else
                local last = row.password_last_used
                local what = "last used"
                if last == null then
                    last, what = row.password_last_changed, "never used; set"
                    if last == null then last = row.user_creation_time end
                end
                local idle = ctx:days_since(last)
                if idle and idle >= max then
                    ctx:fail(row.user, ("console password %s %d days ago"):format(what, idle), extra)
                else
                    ctx:pass(row.user, ("console password %s %s days ago"):format(what, tostring(idle)), extra)
                end
            end
        end
    end
end

local function key(ctx, user, k)
    local id = k.AccessKeyId
    local extra = { resource_type = "AwsIamAccessKey", part = "key", user = user, key = k }
    if k.Status ~= "Active" then
        ctx:pass(id, "inactive", extra)
        return
    end
    local ok, r = pcall(ctx.facts.access_key_last_used, ctx.facts, id)
    if not ok then
        ctx:error(id, tostring(r), extra)
        return
    end
    extra.last_used = r.AccessKeyLastUsed
    local age = ctx:days_since(k.CreateDate) or 0
    local lu = r.AccessKeyLastUsed and r.AccessKeyLastUsed.LastUsedDate
    local since = ctx:days_since(lu)
    local idle = since or age
    if age >= ctx.params.grace_days and idle >= ctx.params.max_unused_days then
        ctx:fail(id, since and ("active, last used %d days ago"):format(since)
                     or ("active, never used, created %d days ago"):format(age), extra)
    else
        ctx:pass(id, since and ("last used %d days ago"):format(since)
                     or ("never used, created %d days ago"):format(age), extra)
    end
end

local function keys(ctx)
    ctx:map(ctx.facts:users(), function(u)
        local name = u.UserName
        local ok, list = pcall(ctx.facts.access_keys, ctx.facts, name)
        if not ok then
            ctx:error(name, tostring(list), { part = "key", user = name, resource_type = "AwsIamUser" })
            return
        end
        ctx:map(list, function(k) key(ctx, name, k) end)
    end)
end

return {
    id = "cis-1.12",
    title = "Ensure credentials unused for 45 days or greater are disabled",
    severity = "medium",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.12" },
    resource_type = "AwsIamUser",
    params = { max_unused_days = 45, grace_days = 0, passwords = true, keys = true },
    rationale = "Credentials nobody uses are credentials nobody watches; disabling "
        .. "them shrinks what a leak can reach.",
    remediation = "Deactivate the listed access keys and remove the listed console "
        .. "passwords (iamlua audit --remediate --apply does both; keys are made "
        .. "Inactive, never deleted).",
    check = function(ctx)
        if ctx.params.keys then
            if ctx.params.passwords then
                ctx:map({ passwords, keys }, function(f) f(ctx) end)
            else
                keys(ctx)
            end
        elseif ctx.params.passwords then
            passwords(ctx)
        end
    end,
    remediate = function(ctx, finding)
        local x = finding.extra
        if x.part == "password" then
            return { { "DeleteLoginProfile", { UserName = x.user } } }
        elseif x.part == "key" and x.key then
            return { { "UpdateAccessKey", { UserName = x.user, AccessKeyId = finding.resource,
                                            Status = "Inactive" } } }
        end
        return {}
    end,
}
