-- jmespath.errors: failures with jmespath.py's categories and texts.
--
-- An error is a table { code = <category>, message = <text> } whose
-- tostring() is the message. `code` is one of "syntax", "invalid-type",
-- "invalid-arity", "unknown-function", "invalid-value". The message is
-- str() of the exception jmespath.py raises, which the AWS CLI prints
-- (after "Bad value for --query EXPR: " for parse errors).
--
-- Parse errors need the whole expression for their text, which the lexer
-- and parser do not keep; they raise a pending error (`pending` set) and
-- jmespath.compile finishes it with `finish`, as jmespath.py's Parser fills
-- in `e.expression` after the fact.

local pyfmt = require "jmespath.pyfmt"

local error, setmetatable, format, rep, sub = error, setmetatable,
    string.format, string.rep, string.sub
local type, getmetatable, concat = type, getmetatable, table.concat

local M = {}

local mt = { __name = "jmespath.error" }
mt.__tostring = function(e) return e.message end
M.mt = mt

function M.new(code, message)
    return setmetatable({ code = code, message = message }, mt)
end

function M.is(e)
    return type(e) == "table" and getmetatable(e) == mt
end

local function raise(code, message)
    error(M.new(code, message), 0)
end
M.raise = raise

-- Lexer error at byte `pos` (LexerError).
function M.lexer(pos, message)
    local e = M.new("syntax", message)
    e.pending, e.pos = "lexer", pos
    error(e, 0)
end

-- Parse error at a token (ParseError); msg is the reason.
function M.parse(token, msg, col)
    local e = M.new("syntax", msg)
    e.pending, e.token, e.col = "parse", token, col
    error(e, 0)
end

-- Incomplete expression (IncompleteExpressionError).
function M.incomplete()
    local e = M.new("syntax", "")
    e.pending = "incomplete"
    error(e, 0)
end

-- Column (0-based, in code points) of byte index pos of expr.
local function column(expr, pos)
    return pyfmt.ulen(sub(expr, 1, pos - 1))
end

local function parse_text(e, expr)
    local t = e.token
    local col = e.col or column(expr, t.start)
    local tv = t.type == "eof" and "" or pyfmt.str(t.value)
    return format('%s: Parse error at column %d, token "%s" (%s), '
        .. 'for expression:\n"%s"\n%s^', e.message, col, tv,
        t.type:upper(), expr, rep(" ", col + 1))
end

-- Fills in the message of a pending parse error.
function M.finish(e, expr)
    local kind = e.pending
    if not kind then return e end
    e.pending = nil
    if kind == "lexer" then
        e.message = format("Bad jmespath expression: %s:\n%s\n%s^",
            e.message, expr, rep(" ", column(expr, e.pos)))
    elseif kind == "incomplete" then
        local n = pyfmt.ulen(expr)
        e.message = format('Invalid jmespath expression: Incomplete '
            .. 'expression:\n"%s"\n%s^', expr, rep(" ", n + 1))
    else
        e.message = parse_text(e, expr)
    end
    e.pos, e.token, e.col = nil, nil, nil
    return e
end

-- Runtime failures, worded as jmespath.py's exceptions.

function M.type_error(fname, value, actual, expected)
    local exp = {}
    for i = 1, #expected do exp[i] = pyfmt.str_repr(expected[i]) end
    raise("invalid-type", format('In function %s(), invalid type for value: '
        .. '%s, expected one of: [%s], received: "%s"', fname,
        pyfmt.str(value), concat(exp, ", "), actual))
end

function M.arity(expected, actual, fname, variadic)
    raise("invalid-arity", format("Expected %s%d argument%s for function "
        .. "%s(), received %d", variadic and "at least " or "", expected,
        expected == 1 and "" or "s", fname, actual))
end

function M.unknown_function(fname)
    raise("unknown-function", format("Unknown function: %s()", fname))
end

-- Python's own TypeError for an ordering between unlike types, which
-- jmespath.py lets through (e.g. `'a' < `1``).
function M.unorderable(op, a, b)
    raise("invalid-type", format("'%s' not supported between instances of "
        .. "'%s' and '%s'", op, pyfmt.pytype(a), pyfmt.pytype(b)))
end

return M
