/* fuzz_json.c - aws.json.decode (jansson) on arbitrary bytes; whatever
 * decodes is re-encoded with aws.json.encode and decoded again, which must
 * give the same encoding (round trip). */
const char FUZZ_DRIVER[] =
    "local aws = require 'aws'\n"
    "return function(s)\n"
    "  local v = aws.json.decode(s)\n"
    "  if v == nil then return end\n"
    "  local ok, e = pcall(aws.json.encode, v)\n"
    "  if ok and type(e) == 'string' then\n"
    "    local v2 = aws.json.decode(e)\n"
    "    local e2 = aws.json.encode(v2)\n"
    "    if e2 ~= e then error('BUG: json round trip differs: ' .. e .. ' vs ' .. e2, 0) end\n"
    "  end\n"
    "end\n";
