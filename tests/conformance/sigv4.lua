-- sigv4.lua - runs every case of the SigV4 conformance suite through
-- aws.sign, in both layouts (v4/: header and presigned query modes;
-- aws4_testsuite/: header mode), then checks argument handling.
--
--   ./iamlua run tests/conformance/sigv4.lua [CONFORMANCE_DIR]
--
-- CONFORMANCE_DIR defaults to $IAMLUA_CONFORMANCE, else
-- tests/conformance/data (the copy this repository carries). Prints one line per check, "ok - NAME" or
-- "not ok - NAME: DETAIL"; exits non-zero if any check failed. Request
-- files are parsed exactly as the suite's README says; expected files are
-- compared byte for byte, signed requests as multisets of query parameters
-- and headers.

local aws = require "aws"

local root = arg and arg[1] or os.getenv("IAMLUA_CONFORMANCE")
if not root or root == "" then root = "tests/conformance/data" end

local passed, failed = 0, 0

-- One line per check; details never span lines.
local function escape(s)
  return (tostring(s):gsub("%c", function(c)
    if c == "\n" then return "\\n" end
    if c == "\t" then return "\\t" end
    return string.format("\\x%02x", c:byte())
  end))
end

local function check(cond, name, detail)
  if cond then
    passed = passed + 1
    print("ok - " .. name)
  else
    failed = failed + 1
    print("not ok - " .. name .. ": " .. escape(detail or "failed"))
  end
  return cond
end

-- Where two strings part, in a line.
local function same(name, got, want)
  if got == want then return check(true, name) end
  got, want = tostring(got), tostring(want)
  local i = 1
  while i <= #got and got:sub(i, i) == want:sub(i, i) do i = i + 1 end
  return check(false, name, string.format('differ at byte %d: got "%s" want "%s"',
    i - 1, got:sub(i, i + 59), want:sub(i, i + 59)))
end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- Sorted paths under dir whose name matches the find(1) pattern.
local function find(dir, pattern)
  assert(io.popen, "io.popen is needed to list the conformance folders")
  local p = assert(io.popen("find " .. shell_quote(dir) .. " -name "
    .. shell_quote(pattern) .. " 2>/dev/null | LC_ALL=C sort"))
  local list = {}
  for line in p:lines() do list[#list + 1] = line end
  p:close()
  return list
end

---------------------------------------------------------------- requests --

-- As the README says: request line split at the first space, target up to
-- " HTTP/1.1", path and query split at the first '?'; "Name:value" lines
-- (value as written), a line starting with whitespace continues the last
-- header (joined with one space); after a blank line, the body.
local function parse_request(text)
  local r = { headers = {}, body = "" }
  local pos, first = 1, true
  while pos <= #text do
    local nl = text:find("\n", pos, true)
    local line = text:sub(pos, (nl or #text + 1) - 1)
    pos = (nl or #text) + 1
    if first then
      local sp = assert(line:find(" ", 1, true), "no space in request line")
      r.method = line:sub(1, sp - 1)
      local target = assert(line:sub(sp + 1):match("^(.*) HTTP/1%.1$"),
        "request line does not end with HTTP/1.1")
      local q = target:find("?", 1, true)
      r.path = q and target:sub(1, q - 1) or target
      r.query = q and target:sub(q + 1) or nil
      first = false
    elseif line == "" then
      r.body = text:sub(pos)
      break
    elseif line:find("^[ \t]") then
      local last = assert(r.headers[#r.headers], "fold before any header")
      last[2] = last[2] .. " " .. line:match("^[ \t]*(.*)$")
    else
      local c = assert(line:find(":", 1, true), "header without ':'")
      r.headers[#r.headers + 1] = { line:sub(1, c - 1), line:sub(c + 1) }
    end
  end
  return r
end

local function header_value(req, lname)
  for _, h in ipairs(req.headers) do
    if h[1]:lower() == lname then return h[2] end
  end
end

-- Method, path, body, and the sorted query parameters and headers, so that
-- equal strings mean equal multisets. Names compare lowercased and values
-- trimmed: the files write both "Authorization:" and "Authorization: ".
local function describe(method, path, query, headers, body)
  local q, h = {}, {}
  for piece in (query or ""):gmatch("[^&]+") do q[#q + 1] = piece end
  for _, p in ipairs(headers) do
    h[#h + 1] = p[1]:lower() .. ":" .. p[2]:match("^[ \t]*(.-)[ \t]*$")
  end
  table.sort(q)
  table.sort(h)
  return table.concat({ method .. " " .. path, "[query]", table.concat(q, "\n"),
    "[headers]", table.concat(h, "\n"), "[body]", body }, "\n")
end

local function check_signed_request(name, method, s, body, file)
  local text = slurp(file)
  if not text then return check(false, name, "cannot read " .. file) end
  local want = parse_request(text)
  local path, query = s.url:match("^([^?]*)%??(.*)$")
  same(name, describe(method, path, query, s.headers, body),
    describe(want.method, want.path, want.query, want.headers, want.body))
end

---------------------------------------------------------- argument tables --

local function deep_copy(v)
  if type(v) ~= "table" then return v end
  local c = {}
  for k, x in pairs(v) do c[k] = deep_copy(x) end
  return c
end

local function deep_equal(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, x in pairs(a) do
    if not deep_equal(x, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

local sign_calls, changed_args, bad_fields = 0, {}, {}

-- The result's fields are made on first access (bindings/lsignres.c):
-- pairs() must list exactly the documented ones, each the value a direct
-- read gives, authorization only in header mode.
local FIELDS = { "canonical_request", "string_to_sign", "signature",
                 "authorization", "headers", "url" }
local function fields_ok(args, s)
  local seen, n = {}, 0
  for k, v in pairs(s) do
    if seen[k] or s[k] ~= v then return false end
    seen[k], n = true, n + 1
  end
  for _, k in ipairs(FIELDS) do
    local want = not (k == "authorization" and args.presign)
    if (s[k] ~= nil) ~= want or (seen[k] ~= nil) ~= want then return false end
  end
  return n == (args.presign and 5 or 6) and type(s.headers) == "table"
    and #s.signature == 64
end

-- aws.sign, also checking that it leaves its argument table as it was and
-- that its result lists every field.
local function sign(args, label)
  local before = deep_copy(args)
  local ok, s = pcall(aws.sign, args)
  sign_calls = sign_calls + 1
  if not deep_equal(before, args) then changed_args[#changed_args + 1] = label end
  if ok and not fields_ok(args, s) then bad_fields[#bad_fields + 1] = label end
  return ok, s
end

---------------------------------------------------------------------- v4 --

local json = aws.json

-- context.json: aws.json when the module has it, else a few patterns (the
-- files are flat and simple).
local function read_context(file)
  local text = slurp(file)
  if not text then return nil end
  if json and json.decode then
    local c = json.decode(text)
    return {
      akid = c.credentials.access_key_id,
      secret = c.credentials.secret_access_key,
      token = type(c.credentials.token) == "string" and c.credentials.token or nil,
      region = c.region, service = c.service, timestamp = c.timestamp,
      expires = c.expiration_in_seconds, normalize = c.normalize == true,
      sign_body = c.sign_body == true,
      omit = c.omit_session_token == true,
    }
  end
  local function str(k) return text:match('"' .. k .. '"%s*:%s*"([^"]*)"') end
  local function bool(k) return text:match('"' .. k .. '"%s*:%s*(%a+)') == "true" end
  return {
    akid = str("access_key_id"), secret = str("secret_access_key"),
    token = str("token"), region = str("region"), service = str("service"),
    timestamp = str("timestamp"),
    expires = tonumber(text:match('"expiration_in_seconds"%s*:%s*(%d+)')),
    normalize = bool("normalize"), sign_body = bool("sign_body"),
    omit = bool("omit_session_token"),
  }
end

local function v4_args(req, ctx, presign)
  return {
    method = req.method, path = req.path, query = req.query,
    headers = req.headers, body = req.body,
    service = ctx.service, region = ctx.region,
    credentials = { access_key_id = ctx.akid, secret_access_key = ctx.secret,
                    session_token = ctx.token },
    time = ctx.timestamp:gsub("[-:]", ""),   -- "20150830T123600Z"
    presign = presign, expires = ctx.expires,
    normalize_path = ctx.normalize, omit_session_token = ctx.omit,
    sign_body = ctx.sign_body,
  }
end

local function run_v4_mode(dir, name, req, ctx, mode)
  local label = "v4/" .. name .. " " .. mode
  local ok, s = sign(v4_args(req, ctx, mode == "query"), label)
  if not check(ok, label .. " sign", s) then return end
  local function file(what) return dir .. "/" .. mode .. "-" .. what end
  same(label .. " canonical request", s.canonical_request,
    slurp(file("canonical-request.txt")))
  same(label .. " string to sign", s.string_to_sign,
    slurp(file("string-to-sign.txt")))
  same(label .. " signature", s.signature, slurp(file("signature.txt")))
  check_signed_request(label .. " signed request", req.method, s, req.body,
    file("signed-request.txt"))
  -- The same request given as a url must sign the same.
  local args = v4_args(req, ctx, mode == "query")
  args.url = "https://" .. header_value(req, "host") .. req.path
    .. (req.query and "?" .. req.query or "")
  args.path, args.query = nil, nil
  local uok, u = sign(args, label .. " url")
  check(uok and u.signature == s.signature, label .. " url= signs the same",
    uok and u.signature or u)
end

local function run_v4()
  local cases = 0
  for _, file in ipairs(find(root .. "/sigv4/v4", "request.txt")) do
    local dir = file:match("^(.*)/request%.txt$")
    local name = dir:match("([^/]+)$")
    local ctx = read_context(dir .. "/context.json")
    cases = cases + 1
    if not ctx then
      check(false, "v4/" .. name, "cannot read context.json")
    else
      local req = parse_request(slurp(file))
      run_v4_mode(dir, name, req, ctx, "header")
      run_v4_mode(dir, name, req, ctx, "query")
    end
  end
  check(cases == 38, "v4 case count", cases .. " cases in " .. root)
end

---------------------------------------------------------- aws4_testsuite --

local AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

-- No context file: a token in the .req is the caller's header; one only in
-- the .creq is signed; one only in the .sreq is appended after signing.
local function aws4_token(base, req)
  if header_value(req, "x-amz-security-token") then return nil, false end
  local creq = slurp(base .. ".creq") or ""
  local t = creq:match("\nx%-amz%-security%-token:([^\n]*)")
  if t then return t, false end
  t = header_value(parse_request(slurp(base .. ".sreq")), "x-amz-security-token")
  return t, t ~= nil
end

local function run_aws4_case(base, name)
  local label = "aws4/" .. name
  local req = parse_request(slurp(base .. ".req"))
  local token, omit = aws4_token(base, req)
  local ok, s = sign({
    method = req.method, path = req.path, query = req.query,
    headers = req.headers, body = req.body,
    service = "service", region = "us-east-1",
    credentials = { access_key_id = AKID, secret_access_key = SECRET,
                    session_token = token },
    time = 1440938160,   -- 20150830T123600Z, as epoch seconds this time
    omit_session_token = omit,
  }, label)
  if not check(ok, label .. " sign", s) then return end
  same(label .. " canonical request", s.canonical_request, slurp(base .. ".creq"))
  same(label .. " string to sign", s.string_to_sign, slurp(base .. ".sts"))
  same(label .. " authorization", s.authorization, slurp(base .. ".authz"))
  same(label .. " signature", s.signature,
    (slurp(base .. ".authz") or ""):match("Signature=(%x+)"))
  if name == "get-vanilla-with-session-token" then
    print("ok - " .. label .. " signed request # SKIP stale .sreq (conformance README)")
    passed = passed + 1
  else
    check_signed_request(label .. " signed request", req.method, s, req.body,
      base .. ".sreq")
  end
end

local function run_aws4()
  local cases = 0
  for _, file in ipairs(find(root .. "/sigv4/aws4_testsuite", "*.req")) do
    local base = file:match("^(.*)%.req$")
    local name = base:match("([^/]+)$")
    if base:match("([^/]+)/[^/]+$") == name then   -- NAME/NAME.req
      cases = cases + 1
      run_aws4_case(base, name)
    end
  end
  check(cases == 34, "aws4_testsuite case count", cases .. " cases")
end

--------------------------------------------------------------- arguments --

local function base_args()
  return {
    method = "POST", url = "https://iam.amazonaws.com/",
    headers = { { "Content-Type", "application/x-www-form-urlencoded" } },
    body = "Action=ListUsers&Version=2010-05-08",
    service = "iam", region = "us-east-1",
    credentials = { access_key_id = AKID, secret_access_key = SECRET },
    time = "20150830T123600Z",
  }
end

local function with(changes)
  local a = base_args()
  for k, v in pairs(changes) do
    if v == "nil" then a[k] = nil else a[k] = v end
  end
  return a
end

local function headers_of(s)
  local t = {}
  for _, h in ipairs(s.headers) do t[#t + 1] = h[1] .. "=" .. h[2] end
  return table.concat(t, " | ")
end

local function run_behaviour()
  local ok, s = sign(base_args(), "base")
  check(ok and s.url == "https://iam.amazonaws.com/" and s.headers[2][1] == "Host"
    and s.headers[2][2] == "iam.amazonaws.com" and s.headers[3][1] == "X-Amz-Date"
    and s.headers[4][1] == "Authorization" and #s.headers == 4,
    "url adds Host, then X-Amz-Date and Authorization", ok and headers_of(s) or s)

  local same_time
  ok, same_time = sign(with{ time = 1440938160 }, "epoch")
  check(ok and s.signature == same_time.signature, "time as epoch or string", same_time)
  ok, same_time = sign(with{ time = 1440938160.75 }, "float epoch")
  check(ok and s.signature == same_time.signature, "time as float epoch floors", same_time)

  for _, c in ipairs{
    { "https://h:443/p", "h" }, { "http://h:80/p", "h" },
    { "https://h:8443/p", "h:8443" }, { "http://user:pw@h:80/", "h" },
    { "https://[::1]:443/", "[::1]" }, { "HTTPS://h:443/", "h" },
  } do
    ok, s = sign(with{ url = c[1], headers = "nil" }, c[1])
    check(ok and s.headers[1][1] == "Host" and s.headers[1][2] == c[2],
      "Host from " .. c[1], ok and headers_of(s) or s)
  end

  ok, s = sign(with{ url = "https://h.example/a/b?x=1&y=2#frag" }, "fragment")
  check(ok and s.url == "https://h.example/a/b?x=1&y=2", "url drops the fragment",
    ok and s.url or s)
  ok, s = sign(with{ url = "https://h.example?x=1" }, "no path")
  check(ok and s.url == "https://h.example/?x=1" and s.canonical_request:find("^POST\n/\nx=1\n"),
    "url without a path signs /", ok and s.url or s)

  ok, s = sign(with{ headers = { { "Host", "other" } } }, "own host")
  check(ok and #s.headers == 3 and s.headers[1][2] == "other",
    "a caller Host is not replaced", ok and headers_of(s) or s)

  ok, s = sign(with{ headers = { { "Content-Length", 35 } } }, "number value")
  check(ok and s.headers[1][2] == "35" and s.canonical_request:find("\ncontent%-length:35\n"),
    "a number header value is signed as its string", ok and headers_of(s) or s)

  ok, s = sign(with{ presign = true }, "presign")
  check(ok and s.authorization == nil and s.url:find("X%-Amz%-Expires=900&", 1)
    and s.url:find("&X%-Amz%-Signature=" .. s.signature .. "$")
    and #s.headers == 2, "presign defaults to 900 s, no Authorization",
    ok and s.url or s)

  local args = with{ credentials = { access_key_id = AKID, secret_access_key = SECRET,
                                     session_token = "TOKEN+/=" } }
  ok, s = sign(args, "token")
  check(ok and headers_of(s):find("X%-Amz%-Security%-Token=TOKEN%+/=")
    and s.canonical_request:find("x%-amz%-security%-token:TOKEN"),
    "session token signed and sent", ok and headers_of(s) or s)
  args.omit_session_token = true
  ok, s = sign(args, "token omitted")
  check(ok and headers_of(s):find("X%-Amz%-Security%-Token=TOKEN")
    and not s.canonical_request:find("TOKEN"),
    "omitted session token sent, not signed", ok and headers_of(s) or s)

  ok, s = sign(with{ sign_body = true }, "sign_body")
  check(ok and s.headers[4][1] == "X-Amz-Content-Sha256"
    and s.canonical_request:find("x%-amz%-content%-sha256:"),
    "sign_body adds X-Amz-Content-Sha256", ok and headers_of(s) or s)
  ok, s = sign(with{ payload_hash = "UNSIGNED-PAYLOAD" }, "payload_hash")
  check(ok and s.canonical_request:find("\nUNSIGNED%-PAYLOAD$"),
    "payload_hash used verbatim", ok and s.canonical_request or s)

  ok, s = sign(with{ url = "nil", path = "/a%20b/../c", query = "q=1" }, "path mode")
  check(ok and s.url == "/a%20b/../c?q=1" and s.canonical_request:find("^POST\n/c\n"),
    "path= and query= give path?query", ok and s.url or s)
  ok, s = sign(with{ url = "https://h/a%20b/c", double_encode = false }, "no double")
  check(ok and s.canonical_request:find("^POST\n/a%%20b/c\n"),
    "double_encode=false keeps the encoded path", ok and s.canonical_request or s)
  ok, s = sign(with{ url = "https://h/a%20b/c" }, "double")
  check(ok and s.canonical_request:find("^POST\n/a%%2520b/c\n"),
    "double_encode encodes the path again", ok and s.canonical_request or s)
  ok, s = sign(with{ url = "https://h//a/./b", normalize_path = false }, "unnormalized")
  check(ok and s.canonical_request:find("^POST\n//a/%./b\n"),
    "normalize_path=false", ok and s.canonical_request or s)

  -- A default time is now: the date in the result is today's.
  local before = os.time()
  ok, s = sign(with{ time = "nil" }, "now")
  local date = ok and s.headers[3][2] or ""
  check(date == os.date("!%Y%m%dT%H%M%SZ", before)
    or date == os.date("!%Y%m%dT%H%M%SZ", os.time()),
    "time defaults to now", ok and date or s)
end

local function run_bad_arguments()
  local cases = {
    { "no table", nil, "table expected" },
    { "misspelt field", { tim = 1440938160 }, "unknown field 'tim'; did you mean 'time'?" },
    { "misspelt presign", { presgn = true }, "unknown field 'presgn'; did you mean 'presign'?" },
    { "unknown field", { colour = "red" }, "unknown field 'colour'" },
    { "misspelt credentials field", { credentials = { access_key_id = "a",
      secret_access_key = "s", sesion_token = "t" } },
      "unknown field 'credentials.sesion_token'; did you mean 'session_token'?" },
    { "credentials field at the top", { access_key_id = "a" }, "unknown field 'access_key_id'" },
    { "service type", { service = 3 }, "field 'service' must be a string" },
    { "service missing", { service = "nil" }, "field 'service' must be a string" },
    { "region", { region = true }, "field 'region' must be a string" },
    { "method", { method = {} }, "field 'method' must be a string" },
    { "credentials", { credentials = "x" }, "field 'credentials' must be a table" },
    { "access key", { credentials = { secret_access_key = "s" } },
      "field 'credentials.access_key_id' must be a string" },
    { "secret", { credentials = { access_key_id = "a", secret_access_key = 1 } },
      "field 'credentials.secret_access_key' must be a string" },
    { "token", { credentials = { access_key_id = "a", secret_access_key = "s",
      session_token = 5 } }, "field 'credentials.session_token' must be a string" },
    { "url and path", { path = "/" }, "give either 'url' or 'path'" },
    { "no url", { url = "nil" }, "field 'url' or 'path' is required" },
    { "relative url", { url = "/x" }, "field 'url' must be an absolute URL" },
    { "url without host", { url = "https:///x" }, "field 'url' must be an absolute URL" },
    { "url with NUL", { url = "https://h/a\0b" }, "field 'url' must be an absolute URL" },
    { "headers type", { headers = "x" }, "field 'headers' must be an array" },
    { "header pair", { headers = { "Host" } }, "field 'headers' item #1 must be a {name, value} pair" },
    { "header value", { headers = { { "a", "b" }, { "X", {} } } },
      "field 'headers' item #2 must be a {name, value} pair" },
    { "header name token", { headers = { { "Bad Name", "v" } } },
      "header #1: name must be an HTTP token" },
    { "time string", { time = "2015-08-30" }, "field 'time' must be epoch seconds" },
    { "time type", { time = {} }, "field 'time' must be epoch seconds" },
    { "time range", { time = 1e16 }, "field 'time' must be epoch seconds" },
    { "presign type", { presign = "yes" }, "field 'presign' must be a boolean" },
    { "expires type", { expires = 1.5 }, "field 'expires' must be an integer" },
    { "expires range", { presign = true, expires = 604801 }, "field 'expires' must be 1 to 604800" },
    { "body type", { body = 1 }, "field 'body' must be a string" },
    { "region word", { region = "us east" }, "region must be a word" },
  }
  for _, c in ipairs(cases) do
    local args = c[2] and with(c[2]) or nil
    local before = deep_copy(args)
    local ok, err = pcall(aws.sign, args)
    check(not ok and tostring(err):find("bad argument #1 to '[%w.]*sign' %(" ) ~= nil
      and tostring(err):find(c[3], 1, true) ~= nil and deep_equal(before, args),
      "bad argument: " .. c[1], ok and "no error" or err)
  end
end

run_v4()
run_aws4()
run_behaviour()
run_bad_arguments()
check(#changed_args == 0, "argument tables unchanged (" .. sign_calls .. " calls)",
  table.concat(changed_args, ", "))
check(#bad_fields == 0, "every result lists its fields through pairs (" .. sign_calls
  .. " calls)", table.concat(bad_fields, ", "))
print(string.format("# %d passed, %d failed", passed, failed))
if failed > 0 then os.exit(1) end
