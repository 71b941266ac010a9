-- Audits the access keys of every ACTIVE account in an AWS Organization at once, each reached through an assumed role, in one report with an `account` column.
--
--   iamlua run examples/org-audit-access-keys.lua [options]
--   iamlua run examples/org-audit-access-keys.lua --help
--
-- The per-account audit is examples/lib/audit.lua's (the same rules and
-- columns as audit-access-keys.lua); this script adds the organisation:
-- Organizations ListAccounts, a client with assume_role per account, and
-- one aws.parallel over the accounts whose tasks run their own lookups
-- concurrently too.

local HELP = [[
usage: iamlua run org-audit-access-keys.lua [options]

Lists the organisation's ACTIVE accounts (Organizations ListAccounts, every
page; or --accounts), assumes --role-name in each (STS AssumeRole with the
credentials this script runs with; the account those belong to is audited
with them directly), and runs the access-key audit of
audit-access-keys.lua in every account concurrently: ListUsers,
ListAccessKeys and GetAccessKeyLastUsed, then the CIS rules
(unused-credentials 1.12, key-not-rotated 1.14, multiple-active-keys 1.13).

At most --concurrency requests are in flight in all: up to that many
accounts at once, each with an equal share of it.

Output: one list, ordered by account, then user, then key id, with the
columns of audit-access-keys.lua after an `account` column. An account
whose role cannot be assumed (or whose users cannot be listed) is one row
with incomplete = true and the error; the other accounts are complete.

options:
  --accounts ID,...       audit these accounts (default: every ACTIVE one)
  --role-name NAME        role to assume (default OrganizationAccountAccessRole)
  --external-id ID        ExternalId for AssumeRole
  --role-session-name N   RoleSessionName (default iamlua-org-audit)
  --concurrency N         requests in flight in all (default 16)
  --endpoint-url URL      endpoint for IAM and Organizations (STS goes where
                          the credential chain sends it: AWS_ENDPOINT_URL_STS,
                          AWS_ENDPOINT_URL, the profile's endpoint_url)
  --region REGION         region to sign for
  --profile NAME          credentials/config profile to start from
  --output FORMAT         json (default), text, table, yaml, yaml-stream, or
                          a user format (csv, jsonl, markdown, prometheus next
                          to this script)
  --max-unused-days N     unused threshold in days (default 45)
  --max-age-days N        rotation threshold in days (default 90)
  --grace-days N          new keys exempt from the unused rule (default 7)
  --now ISO8601           evaluate as of this time (default: now)
  -h, --help              this text

exit status:
  0  no findings           1  findings
  2  incomplete: an account, a user or a key could not be audited, or the
     accounts could not be listed (this wins over 1)
  252 usage error          255 internal error
]]

local NAME = "org-audit-access-keys"
local dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local audit = require "lib.audit"      -- lib/audit.lua next to this script
local aws = require "aws"

local value, null = aws.value, aws.null

local EXTRA = {
    ["--output"] = { "output", "name" },
    ["--accounts"] = { "accounts", "list" },
    ["--role-name"] = { "role_name", "string" },
    ["--external-id"] = { "external_id", "string" },
    ["--role-session-name"] = { "session_name", "string" },
}

-- The clients' shared options (endpoint, region, profile).
local function base_options(opts)
    return { endpoint_url = opts.endpoint_url, region = opts.region, profile = opts.profile }
end

-- The organisation's ACTIVE account ids, sorted; or nil, message.
local function active_accounts(opts)
    local org = aws.client("organizations", base_options(opts))
    local ids = {}
    local ok, err = pcall(function()
        for a in org:paginate("ListAccounts", {}) do
            if a.Status == "ACTIVE" then ids[#ids + 1] = a.Id end
        end
    end)
    if not ok then return nil, "cannot list the organisation's accounts: " .. tostring(err) end
    table.sort(ids)
    return ids
end

-- The account the script's own credentials belong to (no role needed).
local function own_account(opts)
    local sts = aws.client("sts", base_options(opts))
    local who = sts:call("GetCallerIdentity")
    return who and who.Account
end

-- An IAM client in account `acct`.
local function account_client(opts, acct, own)
    local o = base_options(opts)
    if acct ~= own then
        o.assume_role = {
            role_arn = string.format("arn:aws:iam::%s:role/%s", acct, opts.role_name),
            role_session_name = opts.session_name, external_id = opts.external_id,
        }
    end
    return aws.client("iam", o)
end

-- The row of an account that could not be audited at all.
local function failed_row(acct, message)
    return value.object(
        "account", acct, "user", null, "access_key_id", null, "status", null, "created", null,
        "age_days", null, "last_used", null, "days_since_last_use", null, "service", null,
        "region", null, "findings", value.array({}), "incomplete", true, "error", message)
end

-- row with an `account` column first.
local function with_account(acct, row)
    local out = value.object("account", acct)
    for _, k in ipairs(value.keys(row)) do out[k] = row[k] end
    return out
end

return audit.main(NAME, function()
    local opts, perr = audit.parse_args(arg, EXTRA)
    if not opts then return audit.usage_error(NAME, perr) end
    if opts.help then
        io.stdout:write(HELP)
        return 0
    end
    opts.role_name = opts.role_name or "OrganizationAccountAccessRole"
    opts.session_name = opts.session_name or "iamlua-org-audit"
    local fmt, ferr = audit.load_format(opts.output or "json", dir)
    if not fmt then return audit.usage_error(NAME, ferr) end

    local accounts, aerr = opts.accounts, nil
    for _, a in ipairs(accounts or {}) do
        if not a:match("^%d%d%d%d%d%d%d%d%d%d%d%d$") then
            return audit.usage_error(NAME, "--accounts: not a 12-digit account id: " .. a)
        end
    end
    if accounts then table.sort(accounts) end
    if not accounts then
        accounts, aerr = active_accounts(opts)
        if not accounts then
            io.stderr:write(NAME, ": ", aerr, "\n")
            return audit.EXIT_INCOMPLETE
        end
    end
    local own = own_account(opts)

    -- A total cap on requests in flight: `concurrency` accounts at most,
    -- each allowed an equal share (at least one request).
    local at_once = math.max(1, math.min(#accounts, opts.concurrency))
    local share = math.max(1, opts.concurrency // at_once)
    local reports = aws.parallel(accounts, function(acct)
        local o = {}
        for k, v in pairs(opts) do o[k] = v end
        o.concurrency = share
        o.iam = account_client(opts, acct, own)
        local report, err = audit.run(o)
        return report or { failed = tostring(err) }
    end, { concurrency = at_once })

    local rows, exit = value.array({}), audit.EXIT_CLEAN
    for i, acct in ipairs(accounts) do
        local r = reports[i]
        if not r or r.failed then
            rows[#rows + 1] = failed_row(acct, r and r.failed or "the audit task failed")
            exit = audit.EXIT_INCOMPLETE
        else
            for _, row in ipairs(r.rows) do rows[#rows + 1] = with_account(acct, row) end
            exit = math.max(exit, r.exit)
        end
    end
    io.stdout:write(fmt.format(rows, {
        operation = "AuditAccessKeys", command = NAME, width = 80, color = false,
        is_query = false, now = opts.now or os.time(),
    }))
    return exit
end)
