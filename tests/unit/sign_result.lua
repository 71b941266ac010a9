-- What aws.sign returns (bindings/lsignres.c): a result whose fields are
-- made on first access. It must read like the table it replaced: every
-- field right whenever it is read (also after later signatures reused the
-- signer's buffers), pairs() listing the fields, the same headers table on
-- every read, assignment of any key, and misuse raising. Expected values
-- are the SigV4 conformance suite's files for get-vanilla (header mode)
-- and v4/get-vanilla (presigned), read from tests/conformance/data.
--
--   ./iamlua run tests/unit/sign_result.lua

local aws = require "aws"

local root = os.getenv("IAMLUA_CONFORMANCE")
if not root or root == "" then root = "tests/conformance/data" end
local passed, failed = 0, 0

local function check(cond, name, detail)
    if cond then
        passed = passed + 1
        print("ok - " .. name)
    else
        failed = failed + 1
        print("not ok - " .. name .. ": " .. tostring(detail or "failed"):gsub("\n", "\\n"))
    end
end

local function slurp(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("a")
    f:close()
    return s
end

local AWS4 = root .. "/sigv4/aws4_testsuite/get-vanilla/get-vanilla"
local V4 = root .. "/sigv4/v4/get-vanilla/"
local creds = { access_key_id = "AKIDEXAMPLE",
                secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }

local function vanilla(presign)
    return aws.sign{ method = "GET", url = "https://example.amazonaws.com/",
                     service = "service", region = "us-east-1", credentials = creds,
                     time = "20150830T123600Z", presign = presign, expires = 3600 }
end

local want = {
    canonical_request = slurp(AWS4 .. ".creq"),
    string_to_sign = slurp(AWS4 .. ".sts"),
    authorization = slurp(AWS4 .. ".authz"),
}
want.signature = want.authorization:match("Signature=(%x+)")
local want_q = { signature = slurp(V4 .. "query-signature.txt"),
                 canonical_request = slurp(V4 .. "query-canonical-request.txt") }

-- A result read only after other signatures have reused the signer's
-- buffers: it holds its own copy.
local early = vanilla(false)
local early_q = vanilla(true)
for i = 1, 50 do
    aws.sign{ method = "POST", url = "https://iam.amazonaws.com/x" .. i, body = ("b"):rep(i * 40),
              headers = { { "X-Pad", ("v"):rep(i * 10) } }, service = "iam",
              region = "eu-west-" .. i, credentials = creds, time = 1700000000 + i }
end
collectgarbage()
check(early.canonical_request == want.canonical_request and
      early.string_to_sign == want.string_to_sign and early.signature == want.signature and
      early.authorization == want.authorization,
      "fields read after 50 later signatures are the conformance suite's", early.signature)
check(early_q.signature == want_q.signature and
      early_q.canonical_request == want_q.canonical_request and early_q.authorization == nil,
      "presigned: fields read late are the suite's, no authorization", early_q.signature)

local s = vanilla(false)
local h = s.headers
check(type(s) == "userdata" and tostring(s):find("^aws.signature") ~= nil,
      "an aws.signature userdata", tostring(s))
check(h == s.headers and #h == 3 and h[1][1] == "Host" and h[1][2] == "example.amazonaws.com"
      and h[2][1] == "X-Amz-Date" and h[2][2] == "20150830T123600Z"
      and h[3][1] == "Authorization" and h[3][2] == want.authorization,
      "headers: Host, X-Amz-Date, Authorization, the same table on every read")
h[#h + 1] = { "X-Extra", "1" }
check(#s.headers == 4, "a change to the headers table stays")
check(s.url == "https://example.amazonaws.com/", "url", s.url)
check(early_q.url:find("^https://example%.amazonaws%.com/%?X%-Amz%-Algorithm=AWS4%-HMAC%-SHA256&")
      ~= nil and early_q.url:find("&X-Amz-Signature=" .. want_q.signature, 1, true) ~= nil,
      "presigned url carries the query and the signature", early_q.url)
check(s.nosuch == nil and s[1] == nil and s[true] == nil, "other keys read nil")

-- pairs: the fields in DESIGN.md's order, then keys the script set.
local order = {}
for k, v in pairs(s) do
    order[#order + 1] = k
    if s[k] ~= v then order[#order + 1] = "MISMATCH" end
end
check(table.concat(order, " ") ==
      "canonical_request string_to_sign signature authorization headers url",
      "pairs lists every field, as read", table.concat(order, " "))
s.note, s[1] = "mine", "one"
s.signature = nil
s.url = "https://elsewhere/"
local seen = {}
for k, v in pairs(s) do seen[#seen + 1] = tostring(k) .. "=" .. tostring(v):sub(1, 20) end
table.sort(seen)
check(s.note == "mine" and s[1] == "one" and s.signature == nil and s.url == "https://elsewhere/"
      and #seen == 7 and table.concat(seen, " "):find("signature=", 1, true) == nil,
      "assignment: new keys kept and listed, a field set to nil is gone, replaced fields stay",
      table.concat(seen, " "))
check(not pcall(function() s[nil] = 1 end), "a nil key raises, as for a table")

-- Misuse of the metamethods by hand raises instead of reading memory.
local mt = getmetatable(s)
local ok, err = pcall(mt.__index, {}, "url")
check(not ok and tostring(err):find("aws.signature expected", 1, true) ~= nil,
      "__index on another value raises", err)
ok, err = pcall(mt.__pairs, io.stdout)
check(not ok and tostring(err):find("aws.signature expected", 1, true) ~= nil,
      "__pairs on another userdata raises", err)

-- Many results alive and dead at once (run under ASan/valgrind in CI).
local keep = {}
for i = 1, 2000 do
    local r = vanilla(i % 2 == 0)
    if i % 100 == 0 or i % 100 == 1 then keep[#keep + 1] = { r, i % 2 == 0 } end
    if i % 3 == 0 then local _ = r.headers end
end
collectgarbage()
local good = 0
for _, k in ipairs(keep) do
    if k[1].signature == (k[2] and want_q.signature or want.signature) then good = good + 1 end
end
check(good == #keep, "2,000 results made and collected; the kept ones intact", good)

print(string.format("# %d passed, %d failed", passed, failed))
if failed > 0 then os.exit(1) end
