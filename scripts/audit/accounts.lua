-- audit.accounts: the accounts an audit covers, each with its own IAM and
-- STS clients.
--
--   default              the account of the credentials (its id from STS)
--   --accounts A,B       those accounts, entered with AssumeRole into
--                        arn:PARTITION:iam::A:role/ROLE (--role-name, default
--                        OrganizationAccountAccessRole, the role AWS
--                        Organizations creates in member accounts)
--   --organization       every ACTIVE account of the organization
--                        (organizations ListAccounts), entered the same way
-- The caller's own account is audited with the caller's credentials, not
-- through a role it may not have. A role that cannot be assumed makes every
-- check of that account ERROR with STS's message; other accounts go on.
local aws = require "aws"

local ipairs, pairs, error, tostring = ipairs, pairs, error, tostring

local M = {}

M.DEFAULT_ROLE = "OrganizationAccountAccessRole"
M.SESSION_NAME = "iamlua-audit"

local function copy(t)
    local c = {}
    for k, v in pairs(t) do c[k] = v end
    return c
end

-- resolve(client_opts, o) -> list of accounts { iam, sts, id, partition }
-- | raises (an aws.error) when the organization cannot be listed or the
-- caller identified.
function M.resolve(client_opts, o)
    local base = { iam = aws.client("iam", copy(client_opts)), sts = aws.client("sts", copy(client_opts)) }
    if not (o.accounts or o.organization) then return { base } end

    local me, err = base.sts:call("GetCallerIdentity", {})
    if not me then error(err, 0) end
    local partition = tostring(me.Arn or ""):match("^arn:([^:]+):") or "aws"
    base.id, base.partition = me.Account, partition

    local ids = o.accounts
    if o.organization then
        ids = {}
        local org = aws.client("organizations", copy(client_opts))
        for acct in org:paginate("ListAccounts", {}, "Accounts") do
            if acct.Status == nil or acct.Status == "ACTIVE" then ids[#ids + 1] = acct.Id end
        end
    end
    local role = o.role_name or M.DEFAULT_ROLE
    local list, seen = {}, {}
    for _, id in ipairs(ids) do
        if not seen[id] then
            seen[id] = true
            if id == base.id then
                list[#list + 1] = base
            else
                local co = copy(client_opts)
                co.assume_role = {
                    role_arn = ("arn:%s:iam::%s:role/%s"):format(partition, id, role),
                    role_session_name = M.SESSION_NAME,
                }
                local sco = copy(co)
                list[#list + 1] = { iam = aws.client("iam", co), sts = aws.client("sts", sco),
                                    id = id, partition = partition }
            end
        end
    end
    return list
end

return M
