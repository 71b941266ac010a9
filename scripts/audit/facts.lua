-- audit.facts: what checks know about an account, each fact a method of
-- ctx.facts, fetched only when a check first asks, once per account
-- however many checks ask (audit.batch makes concurrent askers wait on the
-- same fetch), with pagination and the client's retries.
--
-- Results are typed as iam:call types them (the AWS member names, booleans,
-- numbers, ISO 8601 timestamps as strings, aws.value arrays and objects).
-- A fact that cannot be had raises its error (an aws.error, whose text is
-- the AWS CLI's) in the check that asked, so that check reports ERROR and
-- the others go on; `pcall` around a fact lets a check decide per resource.
--
-- Where one request answers for the whole account (the credential report)
-- checks use it instead of one request per user. It has no access key ids,
-- so facts about a key (its last use) come from the per-key call.
local aws = require "aws"
local batch = require "audit.batch"
local credreport = require "audit.credreport"
local codec = require "audit.codec"
local policydoc = require "audit.policydoc"

local value = aws.value
local null = value.null
local error, pcall, setmetatable, ipairs, pairs, tostring, type =
    error, pcall, setmetatable, ipairs, pairs, tostring, type
local coroutine_running = coroutine.running
local string_format = string.format

local M = {}

local Facts = {}
Facts.__index = Facts

local MAX_PAGES = 10000          -- a paginated fact never loops forever
-- Seconds to wait before each GenerateCredentialReport: the first two at
-- once (the second finds a report that was ready or quick, as moto's is),
-- then backing off up to a minute in all. The wait blocks the process
-- (Lua has no timer here); it only happens while IAM builds a report,
-- which it keeps for four hours.
local REPORT_WAIT = { 0, 0, 0.25, 0.5, 1, 2, 4, 4, 8, 8, 10, 10, 10 }

-- new(exec, account) -> facts. account: { id =, partition =, iam =
-- client, sts = client | nil, users = {names} | nil, stats = {} }
function M.new(exec, account)
    return setmetatable({ exec = exec, account = account, cells = {},
                          stats = account.stats }, Facts)
end

-- One request, counted against the fact being fetched.
local function call(self, cell, action, params, client)
    local st = self.stats
    st.requests = (st.requests or 0) + 1
    cell.requests = (cell.requests or 0) + 1
    return (client or self.account.iam):call(action, params)
end

-- Every item of `key` across pages (Marker / IsTruncated); raises the
-- error of a page that fails.
local function paginate(self, cell, action, params, key, client)
    local items = value.array({})
    local req = {}
    for k, v in pairs(params or {}) do req[k] = v end
    for _ = 1, MAX_PAGES do
        local r, err = call(self, cell, action, req, client)
        if not r then error(err, 0) end
        local page = r[key]
        if page and page ~= null then
            for _, it in ipairs(page) do items[#items + 1] = it end
        end
        if not (r.IsTruncated and r.Marker and r.Marker ~= null) then return items, r end
        req.Marker = r.Marker
    end
    error(string_format("%s: more than %d pages", action, MAX_PAGES), 0)
end

local function no_such_entity(err)
    return type(err) == "table" and err.code == "NoSuchEntity"
end

-- The cell of a derived fact's job that is running now, if any: facts it
-- reads count towards its cost (what a cache hit on it saves).
local function current_cell(self)
    local job = self.exec.job_of[coroutine_running()]
    local cell = job and job.cell
    if cell and cell.deps_of then return cell.deps_of end -- a job of map()
    return cell
end

-- get(key, fetch | nil, derive | nil) -> the fact's value, or raises.
local function get(self, key, fetch, derive)
    local cell = self.cells[key]
    local parent = current_cell(self)
    if cell then
        cell.hits = cell.hits + 1
    else
        cell = batch.cell(fetch and function() return fetch(self, self.cells[key]) end,
                          derive and function() return derive(self) end)
        cell.hits, cell.key, cell.deps = 0, key, {}
        self.cells[key] = cell
        if parent and parent.deps then parent.deps[#parent.deps + 1] = cell end
    end
    self.exec:await({ cell })
    if cell.ok then return cell.value end
    error(cell.err, 0)
end

-- The cost of a cell in requests: its own, or its dependencies' for a
-- derived fact.
local function cost(cell, seen)
    if seen[cell] then return 0 end
    seen[cell] = true
    local n = cell.requests or 0
    for _, d in ipairs(cell.deps or {}) do n = n + cost(d, seen) end
    return n
end

-- stats() -> { facts =, fetched_requests =, hits =, saved = }: saved is the
-- requests the cache spared (each hit would have repeated the fact's
-- requests).
function Facts:cache_stats()
    local facts, hits, saved = 0, 0, 0
    for _, cell in pairs(self.cells) do
        facts = facts + 1
        hits = hits + cell.hits
        if cell.hits > 0 then saved = saved + cell.hits * cost(cell, {}) end
    end
    return { facts = facts, hits = hits, saved = saved }
end

-- ---------------------------------------------------------------- facts --

-- identity() -> { Account, Arn, UserId } of the credentials (STS
-- GetCallerIdentity, which needs no permission).
function Facts:identity()
    return get(self, "identity", function(s, cell)
        local r, err = call(s, cell, "GetCallerIdentity", {}, s.account.sts)
        if not r then error(err, 0) end
        return r
    end)
end

-- users() -> array of User (ListUsers, every page); with the engine's
-- `users` scope, just those names (no request).
function Facts:users()
    local names = self.account.users
    if names then
        return get(self, "users", function()
            local out = value.array({})
            for i, n in ipairs(names) do out[i] = value.object("UserName", n) end
            return out
        end)
    end
    return get(self, "users", function(s, cell)
        return (paginate(s, cell, "ListUsers", {}, "Users"))
    end)
end

-- While IAM builds the report, the fetch task sleeps and every other
-- fetch of the round goes on.
local function sleep(seconds)
    if seconds > 0 then aws.sleep(seconds) end
end

-- credential_report() -> array of rows (audit.credreport), root row
-- included: GenerateCredentialReport until COMPLETE, then
-- GetCredentialReport, base64 and CSV decoded.
function Facts:credential_report()
    local rows = get(self, "credential_report", function(s, cell)
        local state
        for _, wait in ipairs(REPORT_WAIT) do
            sleep(wait)
            local r, err = call(s, cell, "GenerateCredentialReport", {})
            if not r then error(err, 0) end
            state = r.State
            if state == "COMPLETE" then break end
        end
        if state ~= "COMPLETE" then
            error("credential report: still " .. tostring(state) .. " after "
                .. #REPORT_WAIT .. " GenerateCredentialReport calls", 0)
        end
        local r, err = call(s, cell, "GetCredentialReport", {})
        if not r then error(err, 0) end
        if r.ReportFormat ~= nil and r.ReportFormat ~= null and r.ReportFormat ~= "text/csv" then
            error("credential report: unexpected format " .. tostring(r.ReportFormat), 0)
        end
        local csv, derr = codec.base64_decode(type(r.Content) == "string" and r.Content or "")
        if not csv then error("credential report: " .. derr, 0) end
        local parsed, perr = credreport.parse(csv)
        if not parsed then error(perr, 0) end
        return parsed
    end)
    local names = self.account.users
    if not names then return rows end
    local keep = {}
    for _, n in ipairs(names) do keep[n] = true end
    local out = value.array({})
    for _, row in ipairs(rows) do
        if keep[row.user] or row.user == credreport.ROOT then out[#out + 1] = row end
    end
    return out
end

-- The credential report's <root_account> row; raises when it has none.
function Facts:root_usage()
    local row = credreport.root(self:credential_report())
    if not row then error("credential report has no " .. credreport.ROOT .. " row", 0) end
    return row
end

-- access_keys(user) -> array of AccessKeyMetadata (ListAccessKeys)
function Facts:access_keys(user)
    return get(self, "access_keys\0" .. user, function(s, cell)
        return (paginate(s, cell, "ListAccessKeys", { UserName = user }, "AccessKeyMetadata"))
    end)
end

-- access_key_last_used(key_id) -> { UserName =, AccessKeyLastUsed = {
-- LastUsedDate (absent if never), ServiceName, Region } }
function Facts:access_key_last_used(key_id)
    return get(self, "last_used\0" .. key_id, function(s, cell)
        local r, err = call(s, cell, "GetAccessKeyLastUsed", { AccessKeyId = key_id })
        if not r then error(err, 0) end
        return r
    end)
end

-- account_summary() -> SummaryMap (GetAccountSummary)
function Facts:account_summary()
    return get(self, "account_summary", function(s, cell)
        local r, err = call(s, cell, "GetAccountSummary", {})
        if not r then error(err, 0) end
        return r.SummaryMap or value.object()
    end)
end

-- password_policy() -> PasswordPolicy, or nil when the account has none
function Facts:password_policy()
    return get(self, "password_policy", function(s, cell)
        local r, err = call(s, cell, "GetAccountPasswordPolicy", {})
        if not r then
            if no_such_entity(err) then return nil end
            error(err, 0)
        end
        return r.PasswordPolicy
    end)
end

-- virtual_mfa_devices() -> array of VirtualMFADevice (any assignment)
function Facts:virtual_mfa_devices()
    return get(self, "virtual_mfa_devices", function(s, cell)
        return (paginate(s, cell, "ListVirtualMFADevices", {}, "VirtualMFADevices"))
    end)
end

-- mfa_devices(user) -> array of MFADevice
function Facts:mfa_devices(user)
    return get(self, "mfa_devices\0" .. user, function(s, cell)
        return (paginate(s, cell, "ListMFADevices", { UserName = user }, "MFADevices"))
    end)
end

-- login_profile(user) -> LoginProfile, or nil when the user has no
-- console password
function Facts:login_profile(user)
    return get(self, "login_profile\0" .. user, function(s, cell)
        local r, err = call(s, cell, "GetLoginProfile", { UserName = user })
        if not r then
            if no_such_entity(err) then return nil end
            error(err, 0)
        end
        return r.LoginProfile
    end)
end

-- attached_user_policies(user) -> array of AttachedPolicy
function Facts:attached_user_policies(user)
    return get(self, "attached_user_policies\0" .. user, function(s, cell)
        return (paginate(s, cell, "ListAttachedUserPolicies", { UserName = user }, "AttachedPolicies"))
    end)
end

-- user_policies(user) -> array of inline policy names
function Facts:user_policies(user)
    return get(self, "user_policies\0" .. user, function(s, cell)
        return (paginate(s, cell, "ListUserPolicies", { UserName = user }, "PolicyNames"))
    end)
end

-- attached_policies() -> array of Policy: every managed policy (AWS and
-- customer) attached to at least one entity (ListPolicies OnlyAttached)
function Facts:attached_policies()
    return get(self, "attached_policies", function(s, cell)
        return (paginate(s, cell, "ListPolicies", { OnlyAttached = true, Scope = "All" }, "Policies"))
    end)
end

-- policy_version(arn, version_id) -> PolicyVersion whose Document is the
-- decoded document; a document that is not JSON raises.
function Facts:policy_version(arn, version_id)
    return get(self, "policy_version\0" .. arn .. "\0" .. version_id, function(s, cell)
        local r, err = call(s, cell, "GetPolicyVersion", { PolicyArn = arn, VersionId = version_id })
        if not r then error(err, 0) end
        local v = r.PolicyVersion
        local doc, derr = policydoc.decode(v.Document)
        if not doc then error(derr, 0) end
        v.Document = doc
        return v
    end)
end

-- managed_policies() -> array of the attached policies, each with
-- `Document` (its default version's, decoded) or `DocumentError` (why it
-- could not be had: a denied request, a document that is not JSON).
function Facts:managed_policies()
    return get(self, "managed_policies", nil, function(s)
        local list = s:attached_policies()
        local out = value.array({})
        s:map(list, function(p)
            local ok, v = pcall(s.policy_version, s, p.PolicyArn or p.Arn, p.DefaultVersionId)
            local copy = value.object()
            for k, x in value.each(p) do copy[k] = x end
            if ok then copy.Document = v.Document else copy.DocumentError = tostring(v) end
            return copy
        end, out)
        return out
    end)
end

-- entities_for_policy(arn) -> { PolicyGroups, PolicyUsers, PolicyRoles }
-- (every page); a policy that does not exist has no entities.
function Facts:entities_for_policy(arn)
    return get(self, "entities\0" .. arn, function(s, cell)
        local out = value.object("PolicyGroups", value.array({}), "PolicyUsers", value.array({}),
                                 "PolicyRoles", value.array({}))
        local req = { PolicyArn = arn }
        for _ = 1, MAX_PAGES do
            local r, err = call(s, cell, "ListEntitiesForPolicy", req)
            if not r then
                if no_such_entity(err) then return out end
                error(err, 0)
            end
            for _, k in ipairs({ "PolicyGroups", "PolicyUsers", "PolicyRoles" }) do
                local page = r[k]
                if page and page ~= null then
                    for _, it in ipairs(page) do out[k][#out[k] + 1] = it end
                end
            end
            if not (r.IsTruncated and r.Marker and r.Marker ~= null) then return out end
            req.Marker = r.Marker
        end
        error("ListEntitiesForPolicy: too many pages", 0)
    end)
end

-- server_certificates() -> array of ServerCertificateMetadata
function Facts:server_certificates()
    return get(self, "server_certificates", function(s, cell)
        return (paginate(s, cell, "ListServerCertificates", {}, "ServerCertificateMetadataList"))
    end)
end

-- user(name) / role(name) / group(name) -> the entity (GetUser, GetRole,
-- GetGroup), for its ARN and path.
function Facts:user(name)
    return get(self, "user\0" .. name, function(s, cell)
        local r, err = call(s, cell, "GetUser", { UserName = name })
        if not r then error(err, 0) end
        return r.User
    end)
end

function Facts:role(name)
    return get(self, "role\0" .. name, function(s, cell)
        local r, err = call(s, cell, "GetRole", { RoleName = name })
        if not r then error(err, 0) end
        return r.Role
    end)
end

function Facts:group(name)
    return get(self, "group\0" .. name, function(s, cell)
        local r, err = call(s, cell, "GetGroup", { GroupName = name, MaxItems = 1 })
        if not r then error(err, 0) end
        return r.Group
    end)
end

-- map(list, fn [, out]) -> out: fn(item) for every item as jobs of their
-- own, so the facts they read are fetched together (one round for all
-- items instead of one per item). out[i] is fn(list[i])'s result; an
-- item whose fn raised re-raises here, after all have finished.
function Facts:map(list, fn, out)
    out = out or {}
    local exec = self.exec
    local jobs, cells = {}, {}
    local parent = current_cell(self)
    for i, item in ipairs(list) do
        jobs[i] = exec:spawn(fn, item)
        cells[i] = jobs[i].cell
        cells[i].deps_of = parent
    end
    exec:await(cells)
    for i, job in ipairs(jobs) do
        if not job.cell.ok then error(job.cell.err, 0) end
        out[i] = job.cell.value
    end
    return out
end

M.Facts = Facts
return M
