-- shape.lua - XML responses through shape-driven and generic conversion.
--
-- Runs under `./iamlua run tests/conformance/shape.lua`, using the host's
-- aws._xml_decode(body, shape[, wire]) which converts the document's root
-- element with `shape` (nil: generic), keeping timestamps as sent when
-- `wire` is true, and returns nil plus a message when the body does not
-- Prints `ok - NAME` / `not ok - NAME: DETAIL`, exits non-zero on failure.

local decode = require("aws")._xml_decode
local standalone = false

local value = require "aws.value"
local array_mt, object_mt = value.array_mt, value.object_mt

local passed, failed = 0, 0

-- A canonical text of a value: {k=v,...} for objects in their key order,
-- [..] for arrays, integers and floats told apart, metatables checked.
local function dump(v)
    local t = type(v)
    if v == value.null then return "null" end
    if t == "string" then return string.format("%q", v) end
    if t == "number" then
        if math.type(v) == "integer" then return tostring(v) end
        if v ~= v then return "nan" end
        return string.format("%.17gf", v)
    end
    if t ~= "table" then return tostring(v) end
    local mt, out = getmetatable(v), {}
    if mt == array_mt then
        for i = 1, rawlen(v) do out[i] = dump(v[i]) end
        return "[" .. table.concat(out, ",") .. "]"
    elseif mt == object_mt then
        for i = 1, rawlen(v) do
            local k = rawget(v, i)
            out[i] = k .. "=" .. dump(rawget(v, k))
        end
        return "{" .. table.concat(out, ",") .. "}"
    end
    return "<plain table>"
end

local function check(name, ok, detail)
    if ok then
        passed = passed + 1
        print("ok - " .. name)
    else
        failed = failed + 1
        print("not ok - " .. name .. ": " .. tostring(detail))
    end
end

local function expect(name, body, shape, want, wire)
    local ok, v, err = pcall(decode, body, shape, wire)
    if not ok then return check(name, false, "raised " .. tostring(v)) end
    if v == nil then return check(name, false, "failed: " .. tostring(err)) end
    local got = dump(v)
    check(name, got == want, "got " .. got .. "\n     want " .. want)
end

-- Decoding must fail; `code` (optional) is the AWS error code expected.
local function expect_fail(name, body, shape, part, code)
    local ok, v, err, _, errcode = pcall(decode, body, shape)
    if not ok then return check(name, false, "raised " .. tostring(v)) end
    if v ~= nil then return check(name, false, "decoded " .. dump(v)) end
    local msg = type(err) == "table" and err.message or tostring(err)
    if type(err) == "table" then errcode = err.code end
    if part and not msg:find(part, 1, true) then
        return check(name, false, "message '" .. msg .. "' lacks " .. part)
    end
    if code and errcode ~= code then
        return check(name, false, "code " .. tostring(errcode))
    end
    check(name, true)
end

local NS = ' xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'
local S, TS = { type = "string" }, { type = "timestamp" }

local function struct(...)
    local members = {}
    for i = 1, select("#", ...), 2 do
        local name, shape = select(i, ...)
        members[#members + 1] = { name = name, shape = shape }
    end
    return { type = "structure", members = members }
end

-- The output shape of GetAccessKeyLastUsed, in botocore's member order.
local GAKLU = struct(
    "UserName", S,
    "AccessKeyLastUsed", struct("LastUsedDate", TS, "ServiceName", S,
                                "Region", S))
local GAKLU_RESPONSE = struct("GetAccessKeyLastUsedResult", GAKLU,
    "ResponseMetadata", struct("RequestId", S))

local function gaklu(inner)
    return "<GetAccessKeyLastUsedResponse" .. NS .. ">\n"
        .. "  <GetAccessKeyLastUsedResult>\n" .. inner
        .. "  </GetAccessKeyLastUsedResult>\n"
        .. "  <ResponseMetadata><RequestId>rid-1</RequestId>"
        .. "</ResponseMetadata>\n</GetAccessKeyLastUsedResponse>\n"
end

local USED = gaklu([[
    <AccessKeyLastUsed>
      <Region>us-east-1</Region>
      <LastUsedDate>2024-02-29T13:07:42Z</LastUsedDate>
      <ServiceName>iam</ServiceName>
    </AccessKeyLastUsed>
    <UserName>Bob</UserName>
]])

expect("GetAccessKeyLastUsed in shape order, iso8601 timestamp", USED,
    GAKLU_RESPONSE,
    '{GetAccessKeyLastUsedResult={UserName="Bob",AccessKeyLastUsed='
    .. '{LastUsedDate="2024-02-29T13:07:42+00:00",ServiceName="iam",'
    .. 'Region="us-east-1"}},ResponseMetadata={RequestId="rid-1"}}')

expect("wire timestamps kept as sent", USED, GAKLU_RESPONSE,
    '{GetAccessKeyLastUsedResult={UserName="Bob",AccessKeyLastUsed='
    .. '{LastUsedDate="2024-02-29T13:07:42Z",ServiceName="iam",'
    .. 'Region="us-east-1"}},ResponseMetadata={RequestId="rid-1"}}',
    true)

expect("never-used key: absent LastUsedDate omitted, not null", gaklu([[
    <UserName>Bob</UserName>
    <AccessKeyLastUsed><ServiceName>N/A</ServiceName>
      <Region>N/A</Region></AccessKeyLastUsed>
]]), GAKLU_RESPONSE,
    '{GetAccessKeyLastUsedResult={UserName="Bob",AccessKeyLastUsed='
    .. '{ServiceName="N/A",Region="N/A"}},ResponseMetadata={RequestId="rid-1"}}')

expect("unknown elements ignored", gaklu([[
    <UserName>Bob</UserName><Extra>1</Extra>
    <AccessKeyLastUsed><Surprise><x/></Surprise></AccessKeyLastUsed>
]]), GAKLU_RESPONSE,
    '{GetAccessKeyLastUsedResult={UserName="Bob",AccessKeyLastUsed={}},'
    .. 'ResponseMetadata={RequestId="rid-1"}}')

expect("generic GetAccessKeyLastUsed in document order", USED, nil,
    '{GetAccessKeyLastUsedResult={AccessKeyLastUsed={Region="us-east-1",'
    .. 'LastUsedDate="2024-02-29T13:07:42Z",ServiceName="iam"},'
    .. 'UserName="Bob"},ResponseMetadata={RequestId="rid-1"}}')

-- ListUsers-like: lists of structures, booleans, an empty list.
local USER = struct("Path", S, "UserName", S, "UserId", S,
    "CreateDate", TS, "PasswordLastUsed", TS)
local LIST_USERS = struct("ListUsersResult", struct(
    "Users", { type = "list", member = USER },
    "IsTruncated", { type = "boolean" },
    "Marker", S))

expect("list of structures, boolean, marker", [[
<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
 <ListUsersResult>
  <IsTruncated>true</IsTruncated>
  <Marker>m1</Marker>
  <Users>
   <member><UserName>a</UserName><Path>/</Path>
    <CreateDate>2020-01-01T00:00:00.123Z</CreateDate></member>
   <member><UserId>U2</UserId><UserName>b</UserName>
    <PasswordLastUsed>2021-06-30T23:59:59.000Z</PasswordLastUsed></member>
  </Users>
 </ListUsersResult>
</ListUsersResponse>]], LIST_USERS,
    '{ListUsersResult={Users=[{Path="/",UserName="a",'
    .. 'CreateDate="2020-01-01T00:00:00.123000+00:00"},{UserName="b",'
    .. 'UserId="U2",PasswordLastUsed="2021-06-30T23:59:59+00:00"}],'
    .. 'IsTruncated=true,Marker="m1"}}')

expect("empty list element is an empty array",
    "<R><ListUsersResult><Users/><IsTruncated>false</IsTruncated>"
    .. "</ListUsersResult></R>", LIST_USERS,
    '{ListUsersResult={Users=[],IsTruncated=false}}')

expect("list items are every child (botocore ignores their names)",
    "<R><L><member>1</member><item>2</item></L></R>",
    struct("L", { type = "list", member = { type = "integer" } }),
    "{L=[1,2]}")

do
    local parts = { "<R><L>" }
    for i = 1, 5000 do parts[#parts + 1] = "<member>" .. i .. "</member>" end
    parts[#parts + 1] = "</L></R>"
    local ok, v = pcall(decode, table.concat(parts),
        struct("L", { type = "list", member = { type = "long" } }))
    check("5000-item list", ok and v and #v.L == 5000 and v.L[5000] == 5000
        and math.type(v.L[1]) == "integer", tostring(v))
end

-- Scalars, as botocore's handlers read text.
local function scalars(name, ty, cases)
    local parts, want = { "<R>" }, {}
    local shape = { type = "structure", members = {} }
    for i, c in ipairs(cases) do
        parts[#parts + 1] = "<v" .. i .. ">" .. c[1] .. "</v" .. i .. ">"
        shape.members[i] = { name = "v" .. i, location_name = "v" .. i,
                             shape = { type = ty } }
        want[i] = "v" .. i .. "=" .. c[2]
    end
    parts[#parts + 1] = "</R>"
    expect(name, table.concat(parts), shape,
        "{" .. table.concat(want, ",") .. "}")
end

scalars("integers and longs", "integer", {
    { "42", "42" }, { "-7", "-7" }, { " 5 ", "5" }, { "+3", "3" },
    { "007", "7" }, { "1_000", "1000" },
    { "9223372036854775807", "9223372036854775807" },
    { "-9223372036854775808", "-9223372036854775808" },
    { "9223372036854775808", '"9223372036854775808"' },
    { "1.5", '"1.5"' }, { "abc", '"abc"' }, { "", '""' }, { "1__0", '"1__0"' },
})
scalars("booleans", "boolean", {
    { "true", "true" }, { "false", "false" }, { "True", "false" },
    { "", "false" }, { " true", "false" },
})
scalars("doubles", "double", {
    { "1.5", "1.5f" }, { "10", "10f" }, { "-2.5e3", "-2500f" },
    { " .5 ", "0.5f" }, { "inf", "inff" }, { "-Infinity", "-inff" },
    { "nan", "nan" }, { "0x10", '"0x10"' }, { "x", '"x"' }, { "", '""' },
})
scalars("strings and blobs keep their text", "string", {
    { "  padded  ", '"  padded  "' }, { "a &amp; b", '"a & b"' },
    { "caf\xc3\xa9", '"caf\xc3\xa9"' }, { "", '""' },
})

-- Timestamps against AWS CLI v2's iso8601 output, taken from
-- awscli.botocore.utils.parse_timestamp(v).isoformat() (dateutil 2.8.2).
-- Text that is not an ISO 8601 date and time stays as sent.
scalars("timestamps as AWS CLI v2 prints them", "timestamp", {
    { "2024-02-29T13:07:42Z", '"2024-02-29T13:07:42+00:00"' },
    { "2024-02-29T13:07:42.123Z", '"2024-02-29T13:07:42.123000+00:00"' },
    { "2024-02-29T13:07:42.000Z", '"2024-02-29T13:07:42+00:00"' },
    { "2024-02-29T13:07:42.1Z", '"2024-02-29T13:07:42.100000+00:00"' },
    { "2024-02-29T13:07:42.000001Z", '"2024-02-29T13:07:42.000001+00:00"' },
    { "2024-02-29T13:07:42.1234567Z", '"2024-02-29T13:07:42.123456+00:00"' },
    { "2024-02-29T13:07:42.0000001Z", '"2024-02-29T13:07:42+00:00"' },
    { "2024-02-29T13:07:42+05:30", '"2024-02-29T13:07:42+05:30"' },
    { "2024-02-29T13:07:42.5-0800", '"2024-02-29T13:07:42.500000-08:00"' },
    { "2024-02-29T13:07:42+05", '"2024-02-29T13:07:42+05:00"' },
    { "2024-02-29T13:07:42-00:00", '"2024-02-29T13:07:42+00:00"' },
    { "2024-02-29T13:07:42", '"2024-02-29T13:07:42"' },
    { "2024-02-29", '"2024-02-29T00:00:00"' },
    { "2024-02-29T13:07Z", '"2024-02-29T13:07:00+00:00"' },
    { "2024-02-29 13:07:42 GMT", '"2024-02-29T13:07:42+00:00"' },
    { "2024-02-29t13:07:42,25z", '"2024-02-29T13:07:42.250000+00:00"' },
    { " 0001-01-01T00:00:00Z ", '"0001-01-01T00:00:00+00:00"' },
    { "2023-02-29T00:00:00Z", '"2023-02-29T00:00:00Z"' },
    { "2024-02-29T24:00:00Z", '"2024-02-29T24:00:00Z"' },
    { "2024-02-29T13:07:42+24:00", '"2024-02-29T13:07:42+24:00"' },
    { "1709212062", '"1709212062"' },
    { "not a date", '"not a date"' }, { "", '""' },
})

-- Maps.
local MAP = { type = "map", key = S, value = { type = "integer" } }
expect("map entries in order, a repeated key keeps its first place",
    "<R><M><entry><key>b</key><value>1</value></entry>"
    .. "<entry><key>a</key><value>2</value></entry>"
    .. "<entry><key>b</key><value>3</value></entry>"
    .. "<entry><value>9</value></entry></M></R>",
    struct("M", MAP), "{M={b=3,a=2}}")
expect("map with custom key and value names",
    "<R><M><entry><Name>k</Name><Val>v</Val></entry></M></R>",
    struct("M", { type = "map", key = S, value = S,
                  key_name = "Name", value_name = "Val" }),
    '{M={k="v"}}')
expect("empty map element is an empty object", "<R><M/></R>",
    struct("M", MAP), "{M={}}")
expect("flattened map",
    "<R><Attr><key>x</key><value>1</value></Attr><Other/>"
    .. "<Attr><key>y</key><value>2</value></Attr></R>",
    { type = "structure", members = { { name = "Attributes",
        location_name = "Attr",
        shape = { type = "map", key = S, value = { type = "integer" },
                  flattened = true } } } },
    "{Attributes={x=1,y=2}}")

-- Flattened lists: items are the structure's repeated elements.
expect("flattened list named by member_name",
    "<R><Item>a</Item><Marker>m</Marker><Item>b</Item></R>",
    { type = "structure", members = {
        { name = "Items", shape = { type = "list", member = S,
                                    member_name = "Item", flattened = true } },
        { name = "Marker", shape = S } } },
    '{Items=["a","b"],Marker="m"}')
expect("flattened list named by location_name",
    "<R><Tag>x</Tag><Tag>y</Tag></R>",
    { type = "structure", members = { { name = "Tags", location_name = "Tag",
        shape = { type = "list", member = S, flattened = true } } } },
    '{Tags=["x","y"]}')
expect("absent flattened list omitted", "<R><Other/></R>",
    { type = "structure", members = { { name = "Tags", location_name = "Tag",
        shape = { type = "list", member = S, flattened = true } } } },
    "{}")

-- Shapes that do not fit the document.
expect("structure shape on a leaf gives an empty object", "<R><U>text</U></R>",
    struct("U", struct("A", S)), "{U={}}")
expect("unknown shape type converts generically",
    "<R><U><A>1</A></U></R>", struct("U", { type = "weird" }),
    '{U={A="1"}}')
expect("member without a shape converts generically",
    "<R><U><member>1</member></U></R>",
    { type = "structure", members = { { name = "U" } } }, '{U=["1"]}')
expect("location_name renames the element",
    "<R><xmlName>v</xmlName></R>",
    { type = "structure", members = {
        { name = "LuaName", location_name = "xmlName", shape = S } } },
    '{LuaName="v"}')
expect("shape tables are read raw (metamethods ignored)", "<R><A>1</A></R>",
    setmetatable({ type = "structure", members = setmetatable(
        { { name = "A", shape = S } },
        { __index = function() error("metamethod ran") end }) },
        { __index = function() error("metamethod ran") end }),
    '{A="1"}')

-- Generic conversion.
expect("generic: members become an array",
    "<R><Users><member><N>a</N></member><member><N>b</N></member></Users>"
    .. "</R>", nil, '{Users=[{N="a"},{N="b"}]}')
expect("generic: a single member is still an array",
    "<R><Users><member>a</member></Users></R>", nil, '{Users=["a"]}')
expect("generic: children all of one repeated name become an array",
    "<R><Ids><Id>1</Id><Id>2</Id></Ids></R>", nil, '{Ids=["1","2"]}')
expect("generic: a repeated name among others is grouped in place",
    "<R><A>1</A><B>x</B><A>2</A><C/><A>3</A></R>", nil,
    '{A=["1","2","3"],B="x",C=""}')
expect("generic: entries become an object",
    "<R><M><entry><key>k1</key><value>v1</value></entry>"
    .. "<entry><key>k2</key><value><x>1</x></value></entry></M></R>", nil,
    '{M={k1="v1",k2={x="1"}}}')
expect("generic: empty element is empty text", "<R><E/><F></F></R>", nil,
    '{E="",F=""}')
expect("generic: namespaces and prefixes dropped",
    '<p:R xmlns:p="urn:x"><p:A>1</p:A><B xmlns="urn:y">2</B></p:R>', nil,
    '{A="1",B="2"}')

do
    local body = string.rep("<a>", 64) .. "x" .. string.rep("</a>", 64)
    local ok, v = pcall(decode, body, nil)
    local depth = 0
    while ok and type(v) == "table" do v = v.a; depth = depth + 1 end
    check("generic: 64 levels deep", ok and v == "x" and depth == 63,
        tostring(v))
end

do
    local ok, v = pcall(decode, USED, GAKLU_RESPONSE)
    local r = ok and v and v.GetAccessKeyLastUsedResult
    check("results use aws.value's types",
        r and value.type(v) == "object" and value.type(r) == "object"
        and table.concat(value.keys(r), ",") == "UserName,AccessKeyLastUsed",
        tostring(r))
    if r then
        r.New = 1 -- object_mt appends new keys to the order
        check("results stay ordered objects after assignment",
            table.concat(value.keys(r), ",")
            == "UserName,AccessKeyLastUsed,New", dump(r))
    end
end

-- Failures. Error documents are the client's to detect (xml_error_response,
-- covered by tests/unit/test_xml.c); only the stand-alone module does it.
if standalone then
    expect_fail("ErrorResponse is an error, not a value", [[
<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>NoSuchEntity</Code>
    <Message>The Access Key with id AKIAX cannot be found</Message></Error>
  <RequestId>rid-9</RequestId>
</ErrorResponse>]], GAKLU_RESPONSE,
        "The Access Key with id AKIAX cannot be found", "NoSuchEntity")
end
expect_fail("DOCTYPE refused",
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', nil,
    "DOCTYPE")
expect_fail("truncated body", string.sub(USED, 1, 100), GAKLU_RESPONSE,
    "malformed")
expect_fail("invalid UTF-8", "<R><A>\xff</A></R>", nil, "UTF-8")
expect_fail("too deep", string.rep("<a>", 257) .. string.rep("</a>", 257), nil,
    "deeper")
expect_fail("empty body", "", nil, "empty")

print(string.format("%d passed, %d failed", passed, failed))
if failed > 0 then os.exit(1) end
