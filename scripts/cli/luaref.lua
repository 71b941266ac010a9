-- cli.luaref: the reference of the `aws` Lua module, as data. `iamlua help
-- lua` renders it as text (cli.help) and tools/gen_man.lua as the man page
-- iamlua-lua(3); tests/unit/luaref.lua walks the module and fails when a
-- public function (or client method) has no entry here, or an entry names
-- something the module does not have. Plain data: no requires.
--
-- entries: name (as a script writes it), synopsis, text (paragraphs),
-- items ({ term, description } for options, fields, errors), example.
return {
    title = "iamlua-lua",
    summary = "the aws Lua module of iamlua: clients, requests, concurrency, signing, JSON, JMESPath and output formats",
    intro = {
        [[Scripts run by iamlua (iamlua run SCRIPT.lua, iamlua run -, iamlua -e CODE, iamlua -i) get the module with local aws = require "aws"; in -e and -i it is also the global aws. The same module is installed for a stock Lua 5.4 interpreter as aws.so.]],
        [[Runtime failures return nil, err, like io.open: err is an error table (see ERRORS) whose tostring() is the AWS CLI's message, so assert(iam:call(...)) raises it and the host prints that message. Misuse (a wrong argument type, an unknown option) raises a Lua error "bad argument #N to 'f' (...)".]],
        [[Results and data use the JSON data model of aws.value: aws.null for null, arrays and objects that stay distinct even when empty, objects that keep their key order; plain Lua tables are accepted everywhere data is.]],
    },
    sections = {
        {
            title = "CLIENTS AND REQUESTS",
            entries = {
                {
                    name = "aws.client",
                    synopsis = "aws.client(service [, opts]) -> client",
                    text = {
                        [[A client for service "iam", "sts" or "organizations" (the AWS JSON 1.1 protocol; global: us-east-1 in the aws partition, cn-northwest-1 in China, us-gov-west-1 in GovCloud). An option not given in opts takes the global option given before run, -e or -i (--profile, --region, --endpoint-url, --debug, --no-verify-ssl, --ca-bundle, --cli-read-timeout, --cli-connect-timeout), else what the AWS CLI would use (environment, ~/.aws/config and ~/.aws/credentials, the profile). opts itself is not modified. The client resolves its endpoint and credentials on its first request; a failure there comes back from that request as nil, err. A client may be a to-be-closed variable (local c <close> = aws.client(...)).]],
                        [[An unknown option or a value of the wrong type raises "bad argument #2 to 'client' (...)" naming it, with the closest known name when one is close (unknown option 'regoin'; did you mean 'region'?); an unknown service raises "bad argument #1".]],
                        [[credentials replaces the credential chain: a table is used as it is; a function is called when the client first signs and again when what it returned nears its expiration (15 minutes before, failure keeps the old ones; 10 minutes before, failure fails the call; for credentials issued for less than 30 minutes, at half and a third of their lifetime). One call at a time per client: other tasks wait for it. A function that raises or returns something malformed makes the call return nil, err with kind "credentials".]],
                        [[assume_role makes the client call STS AssumeRole with its own source credentials (its profile, its credentials, or the default chain) and sign with the result, renewed the same way. AssumeRole goes where the credential chain sends STS (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's endpoint_url, sts_regional_endpoints), not to the client's endpoint_url; assume_role.endpoint_url overrides it. An STS error comes back from the call as nil, err naming the AssumeRole operation.]],
                    },
                    items = {
                        { "profile", "string: the profile of the config and credentials files." },
                        { "region", "string: the region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)." },
                        { "endpoint_url", "string: the endpoint, e.g. \"http://127.0.0.1:5000\" (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, the partition's)." },
                        { "verify_ssl", "boolean: false skips TLS verification (--no-verify-ssl); default true." },
                        { "ca_bundle", "string: a CA bundle file (--ca-bundle, AWS_CA_BUNDLE)." },
                        { "connect_timeout", "number: seconds to connect (--cli-connect-timeout); 0 none." },
                        { "read_timeout", "number: the longest silence in seconds once connected (--cli-read-timeout); 0 none." },
                        { "retry_mode", "string: \"standard\" (default) or \"adaptive\"." },
                        { "max_attempts", "integer: attempts per request including the first (default 3)." },
                        { "correct_clock_skew", "boolean: sign again with the server's time when a request is refused as skewed." },
                        { "sign", "boolean: false sends requests unsigned (--no-sign-request)." },
                        { "user_agent", "string: the User-Agent header." },
                        { "timestamp_format", "\"iso8601\" (default) or \"wire\": how timestamps in results are written." },
                        { "debug", "function(line): receives the request trace (--debug's), secrets redacted." },
                        { "credentials", "table { access_key_id, secret_access_key, session_token?, expiration? (epoch seconds or ISO 8601) }, or a function returning one." },
                        { "assume_role", "table { role_arn, role_session_name?, external_id?, duration_seconds?, policy? (JSON text or a table), tags? (a list of { Key =, Value = } or { key = value }), source_identity?, serial_number? with token_code? (a string, or a function called for each renewal), endpoint_url? }." },
                    },
                    example = [[
local iam = aws.client("iam", { profile = "audit", region = "us-east-1" })
local member = aws.client("iam", { profile = "mgmt", assume_role = {
    role_arn = "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole" } })]],
                },
                {
                    name = "client:call",
                    synopsis = "client:call(action [, params]) -> result | nil, err",
                    text = {
                        [[Sends one request. action is the AWS action name (GetAccessKeyLastUsed, ListUsers, ...); params a table of the action's parameters, validated against the AWS CLI's model before anything is sent (a wrong name, type or a missing required parameter gives nil, err with kind "usage" and code "ParamValidationError", its message naming Lua types). The result is typed from the model: numbers, booleans, timestamps as ISO 8601 strings, lists as arrays, member order kept.]],
                        [[An action the service does not have is refused without a request: nil, err with kind "usage", code "InvalidAction", the closest action name in err.suggestion and in the message.]],
                    },
                    example = [[
local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = "AKIAIOSFODNN7EXAMPLE" })
if not r then io.stderr:write(tostring(err), "\n") os.exit(1) end
print(r.UserName, r.AccessKeyLastUsed.ServiceName)]],
                },
                {
                    name = "client:paginate",
                    synopsis = "client:paginate(action, params [, result_key]) -> iterator",
                    text = {
                        [[Iterates over the items of a paginated action's result key across all pages, sending params on every page (MaxItems / MaxResults set the page size) and following the action's paginator in the AWS CLI's model: Marker / IsTruncated for IAM, NextToken for Organizations. Without result_key, the paginator's result key; with several (GetAccountAuthorizationDetails), whole pages. A result_key that is not a list member of the action's output raises at once, naming the valid ones; an action without a paginator raises "Operation cannot be paginated". A page that fails raises its err; the same next token twice raises too.]],
                    },
                    example = [[
for user in iam:paginate("ListUsers", {}) do print(user.UserName) end
for account in org:paginate("ListAccounts", { MaxResults = 20 }) do print(account.Id) end]],
                },
                {
                    name = "client:pages",
                    synopsis = "client:pages(action, params) -> iterator",
                    text = {
                        [[Iterates over the whole result pages of a paginated action, following its paginator as client:paginate does.]],
                    },
                    example = [[
for page in iam:pages("ListUsers", { MaxItems = 100 }) do print(#page.Users, page.IsTruncated) end]],
                },
                {
                    name = "aws.parallel",
                    synopsis = "aws.parallel(list, fn [, opts]) -> results, errors",
                    text = {
                        [[Runs fn(list[i]) for every item as a task (a coroutine). A request inside a task lets the other tasks run while it waits, so tasks read as sequential code and their requests overlap over kept-alive connections. results[i] is the first value fn(list[i]) returned; errors[i] the error of a task that raised (a string error with its traceback) or the err of a task that returned nil, err; both in input order.]],
                        [[Runs nest: an aws.parallel inside a task runs as part of the outer one, each level with its own concurrency; tasks that can only wait for each other raise a deadlock error instead of hanging. A task that raises or is abandoned (fail_fast) is closed, so its <close> variables run.]],
                    },
                    items = {
                        { "concurrency", "integer: tasks in flight at most (default 16)." },
                        { "fail_fast", "boolean: stop starting tasks after the first error and cancel the running ones." },
                        { "progress", "function(done, total, failed): called as tasks finish; default a progress line on stderr when it is a terminal; false for none. An unknown option raises, naming the closest known one." },
                    },
                    example = [[
local results, errors = aws.parallel(ids, function(id)
  return assert(iam:call("GetAccessKeyLastUsed", { AccessKeyId = id }))
end, { concurrency = 32 })]],
                },
                {
                    name = "aws.once",
                    synopsis = "aws.once(fn) -> get",
                    text = { [[get() runs fn the first time it is called and returns its values to every caller; tasks that call get while fn runs in another task wait for that run, so a value many tasks need at once is fetched once. An error fn raises is raised to every caller.]] },
                    example = [[
local users = aws.once(function()
  local all = {}
  for u in iam:paginate("ListUsers", {}, "Users") do all[#all + 1] = u end
  return all
end)
aws.parallel(checks, function(check) return check(users()) end)]],
                },
                {
                    name = "aws.sleep",
                    synopsis = "aws.sleep(seconds)",
                    text = { [[Inside a task of aws.parallel, parks the task for that many seconds (a fraction is fine) while the other tasks and their requests go on; elsewhere it blocks the process. A sleeping task is not a deadlock. Ctrl-C ends a sleep at once. A negative or non-number argument raises.]] },
                    example = [[
repeat -- poll without holding up the other tasks
  local r = assert(iam:call("GenerateCredentialReport"))
  if r.State ~= "COMPLETE" then aws.sleep(2) end
until r.State == "COMPLETE"]],
                },
            },
        },
        {
            title = "OUTPUT",
            entries = {
                {
                    name = "aws.format",
                    synopsis = "aws.format(data, name [, opts]) -> string",
                    text = {
                        [[The exact bytes iamlua ... --output name prints for data: json, text, table, yaml, yaml-stream, or a user format output/NAME.lua from a user directory ($IAMLUA_PATH, else $XDG_CONFIG_HOME/iamlua, else ~/.config/iamlua). An unknown name, an option a shipped format does not know, or an option of the wrong type raises "bad argument". A user format that is broken fails with an error (kind "format") whose one line names its file and what was wrong.]],
                    },
                    items = {
                        { "title", "string: the table format's title (the CLI passes the operation name); none when absent." },
                        { "columns", "array of key names: table and text (and csv) put these columns first, in this order, the others after them, sorted." },
                        { "color", "boolean or \"on\", \"off\", \"auto\": default the --color given before run, else auto (colour when stdout is a terminal)." },
                        { "width", "integer: the table's width; default the terminal's when stdout is one, else 80." },
                    },
                    example = [[
io.write(aws.format(rows, "table", { title = "Keys", columns = { "user", "key_id", "age" } }))]],
                },
                {
                    name = "aws.print",
                    synopsis = "aws.print(data, name [, opts])",
                    text = { [[Writes aws.format(data, name, opts) to io.stdout.]] },
                    example = [[
aws.print(r, "yaml")]],
                },
            },
        },
        {
            title = "DATA",
            entries = {
                {
                    name = "aws.null",
                    synopsis = "aws.null",
                    text = { [[JSON null inside tables and query results (a read-only table whose tostring() is "null"). Absent keys stay nil.]] },
                    example = [[
if user.PasswordLastUsed == nil then print("no console password") end
print(aws.json.encode({ a = aws.null }))   --> {"a":null}]],
                },
                {
                    name = "aws.json.decode",
                    synopsis = "aws.json.decode(text) -> value | nil, message",
                    text = { [[Decodes JSON (jansson) into the aws.value model: null is aws.null, arrays and objects stay distinct even when empty, object keys keep their order, so a value survives decode, aws.query and encode unchanged.]] },
                    example = [[
local doc = assert(aws.json.decode('{"Users": []}'))]],
                },
                {
                    name = "aws.json.encode",
                    synopsis = "aws.json.encode(value [, opts]) -> string",
                    text = { [[Encodes as Python's json.dumps does, byte for byte (the --output json bytes use indent = 4). Functions, userdata and cycles raise. An unknown option raises.]] },
                    items = {
                        { "indent", "integer or string: one member per line, indented by N spaces or that string; default one line." },
                        { "separators", "{ item, key }: default { \",\", \":\" }, or { \",\", \": \" } with indent." },
                        { "ensure_ascii", "boolean: escape non-ASCII as \\uXXXX (default false)." },
                        { "sort_keys", "boolean: sort object keys (default false: objects keep their order, plain tables are sorted)." },
                        { "allow_nan", "boolean: write NaN and Infinity as Python does (default true); false raises." },
                    },
                    example = [[
print(aws.json.encode(r, { indent = 2 }))]],
                },
                {
                    name = "aws.yaml.decode",
                    synopsis = "aws.yaml.decode(text) -> value | nil, message",
                    text = { [[Decodes YAML (libyaml) into the same model as aws.json.decode.]] },
                    example = [[
local cfg = assert(aws.yaml.decode(io.open("accounts.yaml"):read("a")))]],
                },
                {
                    name = "aws.query",
                    synopsis = "aws.query(expression, data) -> value | nil, err",
                    text = { [[Evaluates a JMESPath expression in the AWS CLI's dialect (jmespath.py), as --query does. On failure err.code names the category: syntax, invalid-type, invalid-arity, unknown-function, invalid-value; err.message is jmespath.py's text.]] },
                    example = [[
local names = aws.query("Users[?PasswordLastUsed == null].UserName", page)]],
                },
                {
                    name = "aws.time.parse",
                    synopsis = "aws.time.parse(iso8601) -> epoch | nil, message",
                    text = { [[Seconds since the epoch (a float when there are fractions) of an ISO 8601 timestamp as AWS writes them ("2024-02-29T13:07:42Z", "+00:00" offsets, a bare date).]] },
                    example = [[
local age = (aws.time.now() - aws.time.parse(key.CreateDate)) // 86400]],
                },
                {
                    name = "aws.time.now",
                    synopsis = "aws.time.now() -> epoch",
                    text = { [[The current time in seconds since the epoch (os.time()).]] },
                    example = [[
print(aws.time.now())]],
                },
            },
        },
        {
            title = "THE DATA MODEL (aws.value)",
            entries = {
                { name = "aws.value.object", synopsis = "aws.value.object([k1, v1, k2, v2, ...]) -> object",
                  text = { [[An object whose keys keep the order they were set in (as AWS results do); pairs() walks them in that order.]] },
                  example = [[local o = aws.value.object("b", 1, "a", 2)   -- encodes as {"b":1,"a":2}]] },
                { name = "aws.value.array", synopsis = "aws.value.array([t]) -> array",
                  text = { [[Marks a sequence as a JSON array (taken over, not copied), so that an empty one stays [].]] },
                  example = [=[print(aws.json.encode(aws.value.array()))   --> []]=] },
                { name = "aws.value.type", synopsis = "aws.value.type(v) -> string",
                  text = { [["null", "boolean", "number", "string", "array", "object", or the Lua type of a value JSON cannot hold.]] },
                  example = [[assert(aws.value.type(r.Users) == "array")]] },
                { name = "aws.value.is_array", synopsis = "aws.value.is_array(v) -> boolean",
                  text = { [[aws.value.type(v) == "array".]] }, example = [[if aws.value.is_array(x) then print(#x) end]] },
                { name = "aws.value.is_object", synopsis = "aws.value.is_object(v) -> boolean",
                  text = { [[aws.value.type(v) == "object".]] }, example = [[if aws.value.is_object(x) then print(x.UserName) end]] },
                { name = "aws.value.keys", synopsis = "aws.value.keys(object) -> array of keys",
                  text = { [[The keys in output order: insertion order for objects, sorted for plain tables.]] },
                  example = [[for _, k in ipairs(aws.value.keys(r)) do print(k) end]] },
                { name = "aws.value.each", synopsis = "aws.value.each(object) -> iterator",
                  text = { [[Iterates key, value of an object in output order.]] },
                  example = [[for k, v in aws.value.each(r.AccessKeyLastUsed) do print(k, v) end]] },
                { name = "aws.value.len", synopsis = "aws.value.len(v) -> integer",
                  text = { [[Elements of an array or keys of an object.]] },
                  example = [[print(aws.value.len(r))]] },
                { name = "aws.value.equal", synopsis = "aws.value.equal(a, b) -> boolean",
                  text = { [[Deep equality as JSON sees it (1 == 1.0, key order ignored).]] },
                  example = [[assert(aws.value.equal(aws.json.decode('{"a":[1]}'), { a = { 1 } }))]] },
                { name = "aws.value.datetime", synopsis = "aws.value.datetime(text) -> value",
                  text = { [[A timestamp that YAML writes unquoted (as botocore's samples do).]] },
                  example = [[local t = aws.value.datetime("2024-01-01T00:00:00Z")]] },
                { name = "aws.value.null", synopsis = "aws.value.null", text = { [[The same value as aws.null.]] },
                  example = [[assert(aws.value.null == aws.null)]] },
                { name = "aws.value.array_mt", synopsis = "aws.value.array_mt",
                  text = { [[The metatable of arrays (setmetatable(t, aws.value.array_mt) is aws.value.array(t)).]] },
                  example = [[assert(getmetatable(r.Users) == aws.value.array_mt)]] },
                { name = "aws.value.object_mt", synopsis = "aws.value.object_mt",
                  text = { [[The metatable of ordered objects.]] },
                  example = [[assert(getmetatable(r) == aws.value.object_mt)]] },
                { name = "aws.value.datetime_mt", synopsis = "aws.value.datetime_mt",
                  text = { [[The metatable of aws.value.datetime values.]] },
                  example = [[assert(getmetatable(t) == aws.value.datetime_mt)]] },
            },
        },
        {
            title = "SIGNING AND PARAMETERS",
            entries = {
                {
                    name = "aws.sign",
                    synopsis = "aws.sign(t) -> s",
                    text = { [[Signs a request with AWS Signature Version 4 and leaves t unchanged. Returns s.canonical_request, s.string_to_sign, s.signature, s.authorization, s.headers (ordered pairs to send, with X-Amz-Date, X-Amz-Security-Token, Authorization as applicable) and s.url (with the presigned query when presign). A missing or mistyped field raises "bad argument #1 to 'sign' (field 'k' must be ...)"; a field it does not know (a misspelt time or presign would otherwise sign something else than asked) raises "unknown field 'k'", naming the closest known field.]] },
                    items = {
                        { "method", "string, e.g. \"GET\"." },
                        { "url", "string: the full URL; or path (as on the wire) and query (the raw query string)." },
                        { "headers", "array of { name, value } pairs; repeats allowed." },
                        { "body", "string: the payload; or payload_hash = \"UNSIGNED-PAYLOAD\" or a hex digest." },
                        { "service, region", "strings: the signing scope." },
                        { "credentials", "{ access_key_id, secret_access_key, session_token? }." },
                        { "time", "epoch seconds or \"YYYYMMDDTHHMMSSZ\"; default now." },
                        { "presign, expires", "boolean, seconds (1 to 604800, default 900): the signature goes into the query string." },
                        { "normalize_path, double_encode", "booleans, default true: the canonical URI as most services want it." },
                        { "omit_session_token", "boolean: leave the token out of the signature." },
                        { "sign_body", "boolean: add a signed X-Amz-Content-Sha256 header." },
                    },
                    example = [[
local s = aws.sign{ method = "POST", url = "https://iam.amazonaws.com/",
  headers = { { "Host", "iam.amazonaws.com" } }, body = "Action=ListUsers&Version=2010-05-08",
  service = "iam", region = "us-east-1",
  credentials = { access_key_id = "AKIA...", secret_access_key = "..." } }
print(s.authorization)]],
                },
                {
                    name = "aws.params.validate",
                    synopsis = "aws.params.validate(params, shape [, style]) -> true | nil, message",
                    text = { [[Checks parameters against an input shape of the model (require("shapes.iam.ListUsers").input) as client:call does, and as botocore does: required members, unknown keys, types, a string's, list's or map's min length, a number's min value (MaxItems = 0 is refused; like botocore, no max is checked). Style "lua" words type errors with Lua's type names, otherwise as botocore (the CLI's bytes).]] },
                    example = [[
assert(aws.params.validate({ MaxItems = 10 }, require("shapes.iam.ListUsers").input, "lua"))]],
                },
                {
                    name = "aws.params.flatten",
                    synopsis = "aws.params.flatten(params, shape [, style]) -> pairs | nil, message",
                    text = { [[Validates, then flattens parameters into the Query protocol's { name, value } pairs (Marker, Users.member.1, ...).]] },
                    example = [[
for _, kv in ipairs(aws.params.flatten({ UserName = "bob" }, nil)) do print(kv[1], kv[2]) end]],
                },
                {
                    name = "aws.params.base64",
                    synopsis = "aws.params.base64(bytes) -> string",
                    text = { [[Standard base64 with = padding, as botocore sends a blob parameter (Query and JSON protocols alike); client:call encodes blobs itself, this is for building requests by hand with aws.sign.]] },
                    example = [[
print(aws.params.base64("hi")) --> aGk=]],
                },
            },
        },
        {
            title = "ERRORS",
            entries = {
                {
                    name = "aws.error_mt",
                    synopsis = "aws.error_mt",
                    text = { [[The metatable of error tables. Its __tostring is the AWS CLI's message: for a service error "An error occurred (CODE) when calling the OPERATION operation: MESSAGE", otherwise err.message.]] },
                    items = {
                        { "code", "string: the AWS error code (AccessDenied, NoSuchEntity, ...), or ParamValidationError, InvalidAction, FormatError, ClientClosed (the client was closed while the call was in progress), a credential or connection status." },
                        { "message", "string: the server's message verbatim, or iamlua's." },
                        { "kind", "usage (bad parameters, unknown action), credentials, config (no region, a broken profile), service (the server answered with an error), connection (could not connect, timed out, interrupted), format (a broken output format), internal." },
                        { "status", "integer: the HTTP status, when there was an answer." },
                        { "request_id", "string: the request id, when the server sent one." },
                        { "operation", "string: the action." },
                        { "retries", "integer: retries made before giving up." },
                        { "retry_info", "string: \" (reached max retries: N)\" when the last allowed attempt failed." },
                        { "suggestion", "string: the closest action name (InvalidAction)." },
                    },
                    example = [[
local r, err = iam:call("GetUser", { UserName = "nobody" })
if not r and err.code == "NoSuchEntity" then print("absent") end]],
                },
                {
                    name = "aws.interrupted",
                    synopsis = "aws.interrupted() -> boolean",
                    text = {
                        [[True once Ctrl-C was pressed. Ctrl-C stops a script: requests in flight fail at once and the running Lua code raises an interrupt error at its next instruction. pcall and xpcall in scripts catch it only to raise it again once their protected call has unwound, so a script cannot swallow it (client:call raises it too); the script ends with exit status 130 whatever it caught or returned. Cleanup belongs in __close handlers of to-be-closed variables, which run as the error unwinds (requests fail there at once); aws.interrupted() tells them why they run. A second Ctrl-C ends the process at once. Lua code running in a coroutine is stopped when it comes back to the main thread.]],
                    },
                    example = [[
local out <close> = setmetatable({ f = io.open("partial.json", "w") }, { __close = function(t)
  if aws.interrupted() then t.f:write("incomplete\n") end
  t.f:close()
end })]],
                },
            },
        },
    },
    -- Sections of prose after the entries.
    notes = {
        {
            title = "SCRIPTS",
            text = {
                [[iamlua run SCRIPT.lua [ARG ...] runs a file, iamlua run - [ARG ...] standard input, iamlua -e CODE [ARG ...] a chunk with aws a global, iamlua -i an interactive prompt (expressions print their values, tables as indented JSON; Tab completes names, fields, methods and a client's action names; Ctrl-C cancels the running line, Ctrl-D exits; history in $XDG_STATE_HOME/iamlua/history). arg is set as lua(1) sets it (arg[0] the script or -e's code, arg[1..] its arguments) and the arguments are also passed as ....]],
                [[require finds modules in the script's own directory first, then on package.path and package.cpath, which start as lua(1) sets them (LUA_PATH_5_4, LUA_PATH, LUA_CPATH_5_4, LUA_CPATH, ";;" meaning the default); changes to package.path count. C modules (lua-cjson, luasocket) load. aws and iamlua's own modules (the aws.*, cli.*, jmespath.*, shapes.* and output.* names) always come from iamlua, never from the path.]],
                [[The global options given before run, -e or -i (--profile, --region, --endpoint-url, --debug, --no-verify-ssl, --ca-bundle, --cli-read-timeout, --cli-connect-timeout, --color) are the defaults of every client and output of the script; a client's own options win. Any other global option there is a usage error (exit 252).]],
                [[Exit status: the script's integer result; 1 when it returns false, raises or cannot be loaded; 130 after Ctrl-C; 252 for a usage error; else 0. An error is printed as its message: a table's __tostring, or its message and code fields; a string error with a traceback of the script's own frames.]],
            },
        },
        {
            title = "USER OUTPUT FORMATS",
            text = {
                [[A file output/NAME.lua in a user directory adds --output NAME and aws.format(data, "NAME"), or replaces the shipped format of that name. It returns a table whose function format(data, opts) returns a string: the exact bytes to print (end it with a newline). data is the result as the CLI's formatter gets it: the aws.value model (ordered objects, arrays, aws.null, strings, numbers, booleans), after --query. opts holds operation and title (the CLI: the operation name), command (the CLI's command name; nil from scripts), params (the CLI: the request's parameters), columns, color (a boolean), width, is_query (the CLI: --query was given), and any other field a script passed to aws.format.]],
                [[A format that cannot be loaded, does not return a table with a format function, raises, or returns something other than a string fails with one line naming its file and what was wrong (exit 255 in the CLI, an error of kind "format" in scripts).]],
            },
            example = [[
-- ~/.config/iamlua/output/names.lua
return { format = function(data, opts)
  local out = {}
  for _, u in ipairs(data.Users or {}) do out[#out + 1] = u.UserName end
  return table.concat(out, "\n") .. "\n"
end }]],
        },
    },
}
