/* fuzz_policydoc.c - IAM policy documents as IAM returns them (URL-encoded
 * JSON) through audit.policydoc: bad input gives nil and a message; a
 * document that decodes is an object whose *:* question has a boolean
 * answer; and a JSON text decodes to the same document whether it comes
 * plain or percent-encoded (as moto and IAM send it). */
const char FUZZ_DRIVER[] =
    "local aws = require 'aws'\n"
    "local pd = require 'audit.policydoc'\n"
    "local codec = require 'audit.codec'\n"
    "return function(s)\n"
    "  local doc, err = pd.decode(s)\n"
    "  if doc == nil then\n"
    "    if type(err) ~= 'string' then error('BUG: no message for a refused document', 0) end\n"
    "  else\n"
    "    local a = pd.allows_full_admin(doc)\n"
    "    if a ~= true and a ~= false then error('BUG: allows_full_admin not boolean', 0) end\n"
    "  end\n"
    "  if s:match('^%s*{') then\n"
    "    local enc = s:gsub('[^%w]', function(c) return string.format('%%%02X', c:byte()) end)\n"
    "    if codec.url_decode(enc) ~= s then error('BUG: percent-encoding does not round trip', 0) end\n"
    "    local doc2 = pd.decode(enc)\n"
    "    if (doc == nil) ~= (doc2 == nil) then error('BUG: encoded and plain disagree', 0) end\n"
    "    if doc and aws.json.encode(doc) ~= aws.json.encode(doc2) then\n"
    "      error('BUG: encoded and plain decode differently', 0)\n"
    "    end\n"
    "  end\n"
    "end\n";
