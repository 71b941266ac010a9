/* fuzz_yaml.c - aws.yaml.decode (libyaml) on arbitrary bytes; results are
 * encoded as JSON to walk the whole value. */
const char FUZZ_DRIVER[] =
    "local aws = require 'aws'\n"
    "return function(s)\n"
    "  local v = aws.yaml.decode(s)\n"
    "  if v ~= nil then pcall(aws.json.encode, v) end\n"
    "end\n";
