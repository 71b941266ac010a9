/* fuzz_jmespath.c - JMESPath compile + search (scripts/jmespath.lua, the
 * --query path). Input: the expression, optionally followed by a NUL and a
 * JSON document; without one a fixed GetAccessKeyLastUsed-like document
 * is searched. Results are encoded as JSON. */
const char FUZZ_DRIVER[] =
    "local aws = require 'aws'\n"
    "local jp = require 'jmespath'\n"
    "local fixed = aws.json.decode([==[{\"UserName\":\"bob\",\"AccessKeyLastUsed\":"
    "{\"LastUsedDate\":\"2026-11-27T21:03:15.654943+00:00\",\"ServiceName\":\"iam\","
    "\"Region\":\"us-east-1\"},\"list\":[1,2.5,-3,\"a\",null,true,[1,[2]],{\"a\":{\"b\":[0,1]}}],"
    "\"people\":[{\"name\":\"a\",\"age\":30},{\"name\":\"b\",\"age\":null}]}]==])\n"
    "-- FUZZ_VALID_UTF8=1 skips expressions that are not UTF-8, to fuzz past\n"
    "-- the known crashes/jmespath/overlong-utf8-in-expression\n"
    "local valid_only = os.getenv('FUZZ_VALID_UTF8')\n"
    "local function one(s)\n"
    "  local expr, doc = s, fixed\n"
    "  local z = s:find('\\0', 1, true)\n"
    "  if z then\n"
    "    expr = s:sub(1, z - 1)\n"
    "    doc = aws.json.decode(s:sub(z + 1))\n"
    "    if doc == nil then doc = fixed end\n"
    "  end\n"
    "  local r = jp.search(expr, doc)\n"
    "  pcall(aws.json.encode, r)\n"
    "end\n"
    "-- jmespath raises error tables; a string escaping it is a Lua bug\n"
    "return function(s)\n"
    "  if valid_only and not utf8.len((s:match('^[^%z]*'))) then return end\n"
    "  local ok, e = pcall(one, s)\n"
    "  if not ok and type(e) == 'string' and not e:find('not enough memory', 1, true) then\n"
    "    error('BUG: ' .. e, 0)\n"
    "  end\n"
    "end\n";
