/* fuzz_jsonshape.c - a JSON-protocol answer decoded by the model's shapes
 * (bindings/ljshape.c through aws._json_decode): byte 0 picks the output
 * shape of one Organizations action (ListAccounts, DescribeOrganization,
 * ListRoots, DescribeCreateAccountStatus, ListHandshakesForAccount,
 * ListTagsForResource) or none (generic), byte 1 & 1 keeps timestamps as
 * sent; the rest is the body. What decodes must encode as JSON (nothing
 * but the data model comes out), and a result can never carry a member the
 * shape does not name. */
const char FUZZ_DRIVER[] =
    "local aws = require 'aws'\n"
    "local names = { 'ListAccounts', 'DescribeOrganization', 'ListRoots',\n"
    "  'DescribeCreateAccountStatus', 'ListHandshakesForAccount', 'ListTagsForResource' }\n"
    "local shapes = {}\n"
    "for i, n in ipairs(names) do shapes[i] = require('shapes.organizations.' .. n).output end\n"
    "return function(s)\n"
    "  if #s < 2 then return end\n"
    "  local shape = shapes[s:byte(1) % 8]\n"
    "  local v, err = aws._json_decode(s:sub(3), shape, s:byte(2) % 2 == 1)\n"
    "  if v == nil then\n"
    "    if type(err) ~= 'string' then error('BUG: no message', 0) end\n"
    "    return\n"
    "  end\n"
    "  local ok, e = pcall(aws.json.encode, v)\n"
    "  if not ok then error('BUG: result does not encode: ' .. tostring(e), 0) end\n"
    "  if shape then\n"
    "    local known = {}\n"
    "    for _, m in ipairs(shape.members) do known[m.name] = true end\n"
    "    for k in pairs(v) do\n"
    "      if type(k) == 'string' and not known[k] then error('BUG: member ' .. k, 0) end\n"
    "    end\n"
    "  end\n"
    "end\n";
