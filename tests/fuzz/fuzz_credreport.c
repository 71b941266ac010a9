/* fuzz_credreport.c - the credential report's decoding (audit.codec's
 * base64 and audit.credreport's CSV parser) on arbitrary bytes. Bad input
 * must give nil and a message; what parses must be typed as promised:
 * every row has the header's columns, boolean columns hold booleans (or
 * aws.null), date columns hold dates that pass the validator (or
 * aws.null), and no user name is empty.
 *
 * The parser is Lua and liblua is not instrumented, so libFuzzer would see
 * no new coverage from new parser paths; feedback() turns the outcome (rows
 * parsed, which error, dates seen) into loop counts in the instrumented
 * JSON decoder (ljson.c), whose hit-count buckets become the features that
 * steer the search. */
const char FUZZ_DRIVER[] =
    "local aws = require 'aws'\n"
    "local codec = require 'audit.codec'\n"
    "local cr = require 'audit.credreport'\n"
    "local null = aws.null\n"
    "local BOOL = { password_enabled = 1, mfa_active = 1, access_key_1_active = 1, access_key_2_active = 1 }\n"
    "local DATE = { user_creation_time = 1, password_last_used = 1, password_last_changed = 1,\n"
    "               access_key_1_last_rotated = 1, access_key_1_last_used_date = 1,\n"
    "               access_key_2_last_rotated = 1, access_key_2_last_used_date = 1 }\n"
    "local KINDS = { 'is missing', 'invalid date', 'true or false', 'fields, the header', 'quote inside',\n"
    "                'unterminated', 'appears twice', 'empty user', 'no header', 'after a closing' }\n"
    "local function feedback(a, b, c)\n"
    "  aws.json.decode('[' .. string.rep('0,', math.min(a, 300)) .. '0]')\n"
    "  aws.json.decode('[' .. string.rep('[],', b) .. '[]]')\n"
    "  aws.json.decode('[' .. string.rep('\"\",', math.min(c, 300)) .. '\"\"]')\n"
    "end\n"
    "local function parse(s)\n"
    "  local rows, err = cr.parse(s)\n"
    "  if rows == nil then\n"
    "    if type(err) ~= 'string' then error('BUG: no message for a refused report', 0) end\n"
    "    local kind = #KINDS + 1\n"
    "    for i, k in ipairs(KINDS) do if err:find(k, 1, true) then kind = i break end end\n"
    "    feedback(0, kind, 0)\n"
    "    return\n"
    "  end\n"
    "  local dates = 0\n"
    "  for _, row in ipairs(rows) do\n"
    "    if type(row.user) ~= 'string' or row.user == '' then error('BUG: empty user', 0) end\n"
    "    for col in pairs(BOOL) do\n"
    "      local v = row[col]\n"
    "      if v ~= true and v ~= false and v ~= null then error('BUG: ' .. col .. ' not boolean', 0) end\n"
    "    end\n"
    "    for col in pairs(DATE) do\n"
    "      local v = row[col]\n"
    "      if v ~= null then dates = dates + 1 end\n"
    "      if v ~= null and not (type(v) == 'string' and cr.valid_date(v) and aws.time.parse(v)) then\n"
    "        error('BUG: ' .. col .. ' is not a date: ' .. tostring(v), 0)\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "  feedback(#rows, 0, dates)\n"
    "end\n"
    "return function(s)\n"
    "  parse(s)\n"
    "  local csv = codec.base64_decode(s)\n"
    "  if csv then parse(csv) end\n"
    "end\n";
