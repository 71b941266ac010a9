-- The audit engine offline: parsers, ordering, and the shipped policies on
-- recorded facts (a client that answers from a table), so the checks'
-- decisions, the facts' memoisation and error handling are tested without
-- a server (and under valgrind).
--
--   ./iamlua run tests/unit/audit.lua
local aws = require "aws"
local value = aws.value
local null = aws.null
local credreport = require "audit.credreport"
local codec = require "audit.codec"
local policydoc = require "audit.policydoc"
local findings = require "audit.findings"
local engine = require "audit.engine"
local remediate = require "audit.remediate"
local shipped = require "audit.shipped"

local total, failed = 0, 0
local function check(name, ok, detail)
    total = total + 1
    if ok then
        print("ok - " .. name)
    else
        failed = failed + 1
        print("not ok - " .. name .. (detail and (": " .. tostring(detail)) or ""))
    end
end

-- ------------------------------------------------------------ manifest --
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../../scripts/policies"
local files = {}
local p = io.popen("ls -1 '" .. dir .. "'")
for name in p:lines() do
    if name:match("%.lua$") then files[#files + 1] = name:sub(1, -5) end
end
p:close()
table.sort(files)
local listed = {}
for i, id in ipairs(shipped.policies) do listed[i] = id end
table.sort(listed)
check("audit.shipped lists every file of scripts/policies", table.concat(files, " ") == table.concat(listed, " "),
    table.concat(files, " "))
for _, id in ipairs(shipped.policies) do
    local pol = require("policies." .. id)
    local ok = pol.id == id and type(pol.check) == "function" and findings.RANK[pol.severity]
        and type(pol.title) == "string" and type(pol.rationale) == "string"
        and type(pol.remediation) == "string" and pol.framework["CIS AWS Foundations v3.0.0"] == id:sub(5)
    check(id .. " declares id, title, severity, rationale, remediation, framework", ok)
end

-- ---------------------------------------------------------------- codec --
check("base64 decodes RFC 4648 vectors", codec.base64_decode("Zm9vYmFy") == "foobar"
    and codec.base64_decode("Zm9vYg==") == "foob" and codec.base64_decode("Zm9vYmE=") == "fooba"
    and codec.base64_decode("") == "" and codec.base64_decode("Zm9v\nYmFy") == "foobar")
check("base64 refuses bad input", not codec.base64_decode("Zm9") and not codec.base64_decode("Zm9v!mFy")
    and not codec.base64_decode("Z==="))
check("url_decode", codec.url_decode("%7B%22a%22%3A%201%7D+x") == '{"a": 1}+x'
    and not codec.url_decode("%7") and not codec.url_decode("%zz"))

-- ----------------------------------------------------------- credreport --
local HEADER = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    .. "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    .. "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    .. "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    .. "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    .. "cert_2_active,cert_2_last_rotated\n"
local ROOT = "<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,"
    .. "2024-02-27T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,"
    .. "N/A,N/A,false,N/A,false,N/A\n"
local function user_row(name, pw, mfa, k1, k1used)
    return ("%s,arn:aws:iam::111122223333:user/%s,2023-01-01T00:00:00+00:00,%s,%s,2023-01-01T00:00:00+00:00,"
        .. "N/A,%s,%s,2023-01-01T00:00:00+00:00,%s,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")
        :format(name, name, pw, pw == "true" and "no_information" or "N/A", mfa, k1, k1used)
end
local REPORT = HEADER .. ROOT .. user_row("alice", "true", "false", "true", "N/A")
    .. user_row("bob", "true", "true", "true", "2024-02-01T00:00:00+00:00")
    .. user_row("carol", "false", "false", "false", "N/A")
local rows, err = credreport.parse(REPORT)
check("credential report parses", rows and #rows == 4, err)
if rows then
    check("root row typed", rows[1].user == "<root_account>" and rows[1].password_enabled == null
        and rows[1].mfa_active == true and rows[1].password_last_used == "2024-02-27T10:00:00+00:00")
    check("user row typed", rows[2].password_enabled == true and rows[2].access_key_1_last_used_date == null
        and rows[3].access_key_1_last_used_date == "2024-02-01T00:00:00+00:00")
end
local bad = {
    { "missing column", "user,arn\nx,y\n", "column user_creation_time is missing" },
    { "bad month", HEADER .. ROOT:gsub("2024%-02%-27", "2024-13-27"), "invalid date" },
    { "29 February of a common year", HEADER .. ROOT:gsub("2024%-02%-27", "2023-02-29"), "invalid date" },
    { "boolean", HEADER .. ROOT:gsub(",true,false,N/A", ",yes,false,N/A", 1), "expected true or false" },
    { "short row", HEADER .. "alice,arn\n", "2 fields" },
    { "quote", HEADER .. 'a"b' .. ROOT:sub(15), "quote inside" },
    { "unterminated quote", HEADER .. '"alice', "unterminated" },
    { "duplicate column", "user,user\n", "appears twice" },
    { "empty", "", "no header" },
}
for _, b in ipairs(bad) do
    local r, e = credreport.parse(b[2])
    check("credential report refused: " .. b[1], r == nil and tostring(e):find(b[3], 1, true), e)
end
local quoted = credreport.parse(HEADER .. ROOT .. '"a,""b",' .. user_row("x", "false", "false", "false", "N/A"):sub(3))
check("quoted fields (RFC 4180)", quoted and quoted[2].user == 'a,"b')

-- ------------------------------------------------------------ policydoc --
local doc = assert(policydoc.decode("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"))
check("URL-encoded document decodes and allows *:*", policydoc.allows_full_admin(doc))
check("a single Statement object", policydoc.allows_full_admin(assert(policydoc.decode(
    '{"Statement":{"Effect":"Allow","Action":["s3:*","*"],"Resource":["*"]}}'))))
check("Deny, NotAction and narrower actions are not *:*", not policydoc.allows_full_admin(assert(policydoc.decode(
    '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","NotAction":"s3:*","Resource":"*"},'
    .. '{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}'))))
check("null kept in documents", assert(policydoc.decode('{"Statement":[],"X":null}')).X == null)
check("not JSON is an error", select(2, policydoc.decode("%7Bnot json")):find("not JSON", 1, true))
check("a JSON array is not a document", not policydoc.decode("[1]"))

-- -------------------------------------------------------------- ordering --
local ids = { "cis-1.10", "acme-2", "cis-1.4", "cis-1.22", "cis-1.9", "cis-1.16", "acme-10" }
table.sort(ids, findings.natural_lt)
check("check ids in natural order", table.concat(ids, " ") == "acme-2 acme-10 cis-1.4 cis-1.9 cis-1.10 cis-1.16 cis-1.22",
    table.concat(ids, " "))

-- ------------------------------------------------ policies on recorded facts --
-- A client answering from `answers` (action -> result, or function(params)
-- -> result | nil, err), counting calls.
local function fake(answers)
    local c = { calls = {}, n = 0 }
    function c:call(action, params)
        self.n = self.n + 1
        self.calls[action] = (self.calls[action] or 0) + 1
        local a = answers[action]
        if type(a) == "function" then return a(params or {}) end
        if a == nil then
            return nil, setmetatable({ code = "AccessDenied", message = "not recorded: " .. action },
                { __tostring = function(e) return "An error occurred (AccessDenied): " .. e.message end })
        end
        return a
    end
    return c
end

local function b64(s)
    local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return ((s:gsub(".", function(x)
        local r, byte = "", x:byte()
        for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and "1" or "0") end
        return r
    end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
        if #x < 6 then return "" end
        local c = 0
        for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
        return alphabet:sub(c + 1, c + 1)
    end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

local NOW = aws.time.parse("2024-03-01T00:00:00Z")
local KEYS = {
    alice = { { AccessKeyId = "AKIAALICE1", Status = "Active", CreateDate = "2023-01-01T00:00:00Z" } },
    bob = { { AccessKeyId = "AKIABOB001", Status = "Active", CreateDate = "2024-02-20T00:00:00Z" },
            { AccessKeyId = "AKIABOB002", Status = "Active", CreateDate = "2024-02-25T00:00:00Z" } },
    carol = {},
}
local answers = {
    GetCallerIdentity = { Account = "111122223333", Arn = "arn:aws:iam::111122223333:user/auditor" },
    GenerateCredentialReport = { State = "COMPLETE" },
    GetCredentialReport = { Content = b64(REPORT), ReportFormat = "text/csv" },
    GetAccountSummary = { SummaryMap = { AccountMFAEnabled = 1, AccountAccessKeysPresent = 0 } },
    ListVirtualMFADevices = { VirtualMFADevices = { { SerialNumber = "arn:aws:iam::111122223333:mfa/root-account-mfa-device",
        User = { Arn = "arn:aws:iam::111122223333:root" } } } },
    GetAccountPasswordPolicy = { PasswordPolicy = { MinimumPasswordLength = 8, PasswordReusePrevention = 24,
        RequireSymbols = true, ExpirePasswords = false } },
    ListUsers = { Users = { { UserName = "alice" }, { UserName = "bob" }, { UserName = "carol" } } },
    ListAccessKeys = function(p) return { AccessKeyMetadata = KEYS[p.UserName] } end,
    GetAccessKeyLastUsed = function(p)
        if p.AccessKeyId == "AKIABOB002" then return { AccessKeyLastUsed = { ServiceName = "N/A", Region = "N/A" } } end
        return { AccessKeyLastUsed = { LastUsedDate = "2024-02-28T00:00:00Z" } }
    end,
    ListAttachedUserPolicies = function(p) return { AttachedPolicies = p.UserName == "bob" and { { PolicyName = "x" } } or {} } end,
    ListUserPolicies = { PolicyNames = {} },
    ListPolicies = { Policies = {
        { Arn = "arn:aws:iam::111122223333:policy/a", PolicyArn = nil, DefaultVersionId = "v2", AttachmentCount = 1 },
        { Arn = "arn:aws:iam::111122223333:policy/b", DefaultVersionId = "v1", AttachmentCount = 1 },
        { Arn = "arn:aws:iam::111122223333:policy/c", DefaultVersionId = "v1", AttachmentCount = 1 } } },
    GetPolicyVersion = function(p)
        local docs = {
            ["arn:aws:iam::111122223333:policy/a"] = "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D",
            ["arn:aws:iam::111122223333:policy/b"] = '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
            ["arn:aws:iam::111122223333:policy/c"] = "%7Bnope",
        }
        return { PolicyVersion = { Document = docs[p.PolicyArn], VersionId = p.VersionId } }
    end,
    ListEntitiesForPolicy = function(p)
        if p.PolicyArn:find("AWSSupportAccess") then
            return { PolicyRoles = { { RoleName = "support" } }, PolicyUsers = {}, PolicyGroups = {} }
        end
        return { PolicyRoles = {}, PolicyUsers = { { UserName = "bob" } }, PolicyGroups = {} }
    end,
    GetUser = function(p) return { User = { UserName = p.UserName, Arn = "arn:aws:iam::111122223333:user/team/" .. p.UserName } } end,
    ListServerCertificates = { ServerCertificateMetadataList = {
        { ServerCertificateName = "old", Expiration = "2024-01-01T00:00:00Z", Arn = "arn:old" },
        { ServerCertificateName = "new", Expiration = "2025-01-01T00:00:00Z", Arn = "arn:new" } } },
}

local function run(ans, ids_wanted, extra)
    local client = fake(ans)
    local policies = {}
    for _, id in ipairs(ids_wanted) do policies[#policies + 1] = require("policies." .. id) end
    local opts = { policies = policies, accounts = { { iam = client, sts = client } }, now = NOW,
                   concurrency = 4 }
    for k, v in pairs(extra or {}) do opts[k] = v end
    local report = engine.run(opts)
    local got = {}
    for _, f in ipairs(report.findings) do
        got[#got + 1] = ("%s %s %s"):format(f.policy.id, f.status, f.resource)
    end
    return table.concat(got, "\n"), client, report, opts
end

local all = {}
for i, id in ipairs(shipped.policies) do all[i] = id end
local got, client, report, opts = run(answers, all)
local want = table.concat({
    "cis-1.4 PASS 111122223333", "cis-1.5 PASS 111122223333", "cis-1.6 FAIL 111122223333",
    "cis-1.7 FAIL 111122223333", "cis-1.8 FAIL 111122223333", "cis-1.9 PASS 111122223333",
    "cis-1.10 FAIL alice", "cis-1.10 PASS bob",
    "cis-1.11 FAIL alice", "cis-1.11 PASS bob",
    "cis-1.12 PASS AKIAALICE1", "cis-1.12 PASS AKIABOB001", "cis-1.12 PASS AKIABOB002",
    "cis-1.12 FAIL alice", "cis-1.12 FAIL bob", "cis-1.12 PASS carol",
    "cis-1.13 PASS alice", "cis-1.13 FAIL bob", "cis-1.13 PASS carol",
    "cis-1.14 FAIL AKIAALICE1", "cis-1.14 PASS AKIABOB001", "cis-1.14 PASS AKIABOB002",
    "cis-1.15 PASS alice", "cis-1.15 FAIL bob", "cis-1.15 PASS carol",
    "cis-1.16 FAIL arn:aws:iam::111122223333:policy/a", "cis-1.16 PASS arn:aws:iam::111122223333:policy/b",
    "cis-1.16 ERROR arn:aws:iam::111122223333:policy/c",
    "cis-1.17 PASS 111122223333",
    "cis-1.19 PASS new", "cis-1.19 FAIL old",
    "cis-1.22 FAIL arn:aws:iam::111122223333:user/team/bob",
}, "\n")
check("every shipped check on recorded facts", got == want, "\n" .. got)
local once = true
for action, n in pairs(client.calls) do
    local per = { ListAccessKeys = 3, GetAccessKeyLastUsed = 3, ListAttachedUserPolicies = 3,
                  ListUserPolicies = 3, GetPolicyVersion = 3, ListEntitiesForPolicy = 2 }
    if n ~= (per[action] or 1) then once = false print("# " .. action .. " " .. n) end
end
check("each fact fetched once however many checks read it", once)
check("the cache counts what it saved", report.stats.hits > 0 and report.stats.saved >= report.stats.hits
    and report.stats.requests == client.n, report.stats.requests .. " " .. client.n)

-- a fact that fails: ERROR only where it is read
local denied = {}
for k, v in pairs(answers) do denied[k] = v end
denied.GetCredentialReport = nil
got = run(denied, { "cis-1.7", "cis-1.10", "cis-1.13" })
check("a denied credential report is ERROR for the checks reading it only",
    got == "cis-1.7 ERROR 111122223333\ncis-1.10 ERROR 111122223333\ncis-1.13 PASS alice\ncis-1.13 FAIL bob\ncis-1.13 PASS carol",
    "\n" .. got)

-- params and a check that raises
got = run(answers, { "cis-1.14", "cis-1.8" }, { params = { ["cis-1.14"] = { max_age_days = 500 },
                                                         ["cis-1.8"] = { min_length = 8 } } })
check("params override defaults", got == "cis-1.8 PASS 111122223333\ncis-1.14 PASS AKIAALICE1\n"
    .. "cis-1.14 PASS AKIABOB001\ncis-1.14 PASS AKIABOB002", "\n" .. got)
local boom = { id = "t-boom", severity = "low", check = function(ctx) ctx:pass("x", "before"); error("boom") end }
local r2 = engine.run({ policies = { boom, require("policies.cis-1.5") }, accounts = { { iam = fake(answers), sts = fake(answers) } },
                        now = NOW })
local msgs = {}
for _, f in ipairs(r2.findings) do msgs[#msgs + 1] = f.policy.id .. " " .. f.status .. " " .. f.message end
check("a raising check: its ERROR with the message, its earlier finding, the others complete",
    #msgs == 3 and msgs[1] == "cis-1.5 PASS the root user has MFA" and msgs[2]:find("^t%-boom ERROR .*: boom$")
    and msgs[3] == "t-boom PASS before" and r2.findings[2].resource == "111122223333", table.concat(msgs, "|"))

-- remediation planning: one password policy call for 1.8 and 1.9
local pp = {}
for k, v in pairs(answers) do pp[k] = v end
pp.GetAccountPasswordPolicy = { PasswordPolicy = { MinimumPasswordLength = 8, PasswordReusePrevention = 3,
    RequireSymbols = true, MaxPasswordAge = 90, ExpirePasswords = true } }
local _, _, rep, o = run(pp, { "cis-1.8", "cis-1.9", "cis-1.14" })
remediate.plan(rep, o)
local calls = {}
for _, f in ipairs(rep.findings) do
    for _, c in ipairs(f.remediation or {}) do
        calls[#calls + 1] = f.policy.id .. " " .. c.action .. " " .. aws.json.encode(c.params)
    end
end
check("remediation plan: merged password policy keeping other settings, keys made Inactive",
    table.concat(calls, "\n") == table.concat({
        'cis-1.8 UpdateAccountPasswordPolicy {"MinimumPasswordLength":14,"RequireSymbols":true,"MaxPasswordAge":90,"PasswordReusePrevention":24}',
        'cis-1.9 UpdateAccountPasswordPolicy {"MinimumPasswordLength":14,"RequireSymbols":true,"MaxPasswordAge":90,"PasswordReusePrevention":24}',
        'cis-1.14 UpdateAccessKey {"AccessKeyId":"AKIAALICE1","Status":"Inactive","UserName":"alice"}',
    }, "\n"), "\n" .. table.concat(calls, "\n"))

print(("# %d checks, %d failed"):format(total, failed))
os.exit(failed == 0 and 0 or 1, true)
