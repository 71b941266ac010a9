-- jmespath.parser: tokens to AST, a port of jmespath.py's Pratt parser.
--
-- Node shapes follow jmespath.py's ast.py: { type = ..., children = {...},
-- value = ... }. Error reasons and the tokens they point at are the same
-- as jmespath.py's, so the messages match the AWS CLI's.

local errors = require "jmespath.errors"
local lexer = require "jmespath.lexer"
local pyfmt = require "jmespath.pyfmt"

local ipairs, setmetatable, type, concat = ipairs, setmetatable, type,
    table.concat

local M = {}

local BP = {
    eof = 0, unquoted_identifier = 0, quoted_identifier = 0, literal = 0,
    rbracket = 0, rparen = 0, comma = 0, rbrace = 0, number = 0,
    current = 0, expref = 0, colon = 0, pipe = 1, ["or"] = 2, ["and"] = 3,
    eq = 5, gt = 5, lt = 5, gte = 5, lte = 5, ne = 5, flatten = 9,
    star = 20, filter = 21, dot = 40, ["not"] = 45, lbrace = 50,
    lbracket = 55, lparen = 60,
}
local PROJECTION_STOP = 10

local function node(type, children, value)
    return { type = type, children = children or {}, value = value }
end
local function identity() return node("identity") end

-- Parser state: tokens and the index of the current one.
local P = {}
P.__index = P

function P:cur() return self.tokens[self.i].type end
function P:peek(n) return self.tokens[self.i + n] end
function P:advance() self.i = self.i + 1 end

local function type_list(types)
    local out = {}
    for i, t in ipairs(types) do out[i] = pyfmt.str_repr(t) end
    return "[" .. concat(out, ", ") .. "]"
end

function P:error_maybe_eof(expected, token)
    if token.type == "eof" then errors.incomplete() end
    if type(expected) == "table" then expected = type_list(expected) end
    errors.parse(token, "Expecting: " .. expected .. ", got: " .. token.type)
end

function P:match(ttype)
    if self:cur() ~= ttype then self:error_maybe_eof(ttype, self:peek(0)) end
    self:advance()
end

function P:match_any(ttypes)
    local t = self:cur()
    if t ~= ttypes[1] and t ~= ttypes[2] then
        self:error_maybe_eof(ttypes, self:peek(0))
    end
    self:advance()
end

local NUD, LED = {}, {}

function P:expression(bp)
    bp = bp or 0
    local left_token = self:peek(0)
    self:advance()
    local nud = NUD[left_token.type]
    if not nud then
        if left_token.type == "eof" then errors.incomplete() end
        errors.parse(left_token, "invalid token")
    end
    local left = nud(self, left_token)
    local current = self:cur()
    while bp < BP[current] do
        local led = LED[current]
        if not led then errors.parse(self:peek(0), "invalid token") end
        self:advance()
        left = led(self, left)
        current = self:cur()
    end
    return left
end

function P:projection_rhs(bp)
    local t = self:cur()
    if BP[t] < PROJECTION_STOP then
        return identity()
    elseif t == "lbracket" or t == "filter" then
        return self:expression(bp)
    elseif t == "dot" then
        self:match("dot")
        return self:dot_rhs(bp)
    end
    errors.parse(self:peek(0), "syntax error")
end

function P:dot_rhs(bp)
    local t = self:cur()
    if t == "quoted_identifier" or t == "unquoted_identifier" or t == "star" then
        return self:expression(bp)
    elseif t == "lbracket" then
        self:match("lbracket")
        return self:multi_select_list()
    elseif t == "lbrace" then
        self:match("lbrace")
        return self:multi_select_hash()
    end
    errors.parse(self:peek(0), "Expecting: ['quoted_identifier', "
        .. "'unquoted_identifier', 'lbracket', 'lbrace'], got: " .. t)
end

function P:multi_select_list()
    local exprs = {}
    while true do
        exprs[#exprs + 1] = self:expression()
        if self:cur() == "rbracket" then break end
        self:match("comma")
    end
    self:match("rbracket")
    return node("multi_select_list", exprs)
end

function P:multi_select_hash()
    local pairs_ = {}
    while true do
        local key_token = self:peek(0)
        self:match_any({ "quoted_identifier", "unquoted_identifier" })
        self:match("colon")
        local v = self:expression(0)
        pairs_[#pairs_ + 1] = node("key_val_pair", { v }, key_token.value)
        if self:cur() == "comma" then
            self:match("comma")
        elseif self:cur() == "rbrace" then
            self:match("rbrace")
            break
        end
    end
    return node("multi_select_dict", pairs_)
end

function P:slice_expression()
    local parts, index = { n = 3 }, 1
    local t = self:cur()
    while t ~= "rbracket" and index <= 3 do
        if t == "colon" then
            index = index + 1
            if index == 4 then errors.parse(self:peek(0), "syntax error") end
            self:advance()
        elseif t == "number" then
            parts[index] = self:peek(0).value
            self:advance()
        else
            errors.parse(self:peek(0), "syntax error")
        end
        t = self:cur()
    end
    self:match("rbracket")
    return node("slice", { parts[1], parts[2], parts[3] })
end

function P:index_expression()
    if self:peek(0).type == "colon" or self:peek(1).type == "colon" then
        return self:slice_expression()
    end
    local n = node("index", nil, self:peek(0).value)
    self:advance()
    self:match("rbracket")
    return n
end

function P:project_if_slice(left, right)
    local index_expr = node("index_expression", { left, right })
    if right.type == "slice" then
        return node("projection",
            { index_expr, self:projection_rhs(BP.star) })
    end
    return index_expr
end

function P:comparator(left, op)
    return node("comparator", { left, self:expression(BP[op]) }, op)
end

-- Null denotations: a token that starts an expression.

NUD.literal = function(_, t) return node("literal", nil, t.value) end
NUD.unquoted_identifier = function(_, t) return node("field", nil, t.value) end
NUD.current = function() return node("current") end

NUD.quoted_identifier = function(self, t)
    if self:cur() == "lparen" then
        errors.parse(self:peek(0),
            "Quoted identifier not allowed for function names.", 0)
    end
    return node("field", nil, t.value)
end

NUD.star = function(self)
    local right
    if self:cur() == "rbracket" then
        right = identity()
    else
        right = self:projection_rhs(BP.star)
    end
    return node("value_projection", { identity(), right })
end

NUD.filter = function(self) return LED.filter(self, identity()) end
NUD.lbrace = function(self) return self:multi_select_hash() end

NUD.lparen = function(self)
    local e = self:expression()
    self:match("rparen")
    return e
end

NUD.flatten = function(self)
    local left = node("flatten", { identity() })
    return node("projection", { left, self:projection_rhs(BP.flatten) })
end

NUD["not"] = function(self)
    return node("not_expression", { self:expression(BP["not"]) })
end

NUD.lbracket = function(self)
    local t = self:cur()
    if t == "number" or t == "colon" then
        return self:project_if_slice(identity(), self:index_expression())
    elseif t == "star" and self:peek(1).type == "rbracket" then
        self:advance()
        self:advance()
        local right = self:projection_rhs(BP.star)
        return node("projection", { identity(), right })
    end
    return self:multi_select_list()
end

NUD.expref = function(self)
    return node("expref", { self:expression(BP.expref) })
end

-- Left denotations: a token that continues the expression on its left.

LED.dot = function(self, left)
    if self:cur() ~= "star" then
        local right = self:dot_rhs(BP.dot)
        if left.type == "subexpression" then
            left.children[#left.children + 1] = right
            return left
        end
        return node("subexpression", { left, right })
    end
    self:advance()
    return node("value_projection", { left, self:projection_rhs(BP.dot) })
end

LED.pipe = function(self, left)
    return node("pipe", { left, self:expression(BP.pipe) })
end
LED["or"] = function(self, left)
    return node("or_expression", { left, self:expression(BP["or"]) })
end
LED["and"] = function(self, left)
    return node("and_expression", { left, self:expression(BP["and"]) })
end

LED.lparen = function(self, left)
    if left.type ~= "field" then
        local prev = self:peek(-2)
        errors.parse(prev, "Invalid function name '"
            .. pyfmt.str(prev.value) .. "'")
    end
    local args = {}
    while self:cur() ~= "rparen" do
        local e = self:expression()
        if self:cur() == "comma" then self:match("comma") end
        args[#args + 1] = e
    end
    self:match("rparen")
    return node("function_expression", args, left.value)
end

LED.filter = function(self, left)
    local condition = self:expression(0)
    self:match("rbracket")
    local right
    if self:cur() == "flatten" then
        right = identity()
    else
        right = self:projection_rhs(BP.filter)
    end
    return node("filter_projection", { left, right, condition })
end

for _, op in ipairs({ "eq", "ne", "gt", "gte", "lt", "lte" }) do
    LED[op] = function(self, left) return self:comparator(left, op) end
end

LED.flatten = function(self, left)
    local l = node("flatten", { left })
    return node("projection", { l, self:projection_rhs(BP.flatten) })
end

LED.lbracket = function(self, left)
    local t = self:cur()
    if t == "number" or t == "colon" then
        local right = self:index_expression()
        if left.type == "index_expression" then
            left.children[#left.children + 1] = right
            return left
        end
        return self:project_if_slice(left, right)
    end
    self:match("star")
    self:match("rbracket")
    return node("projection", { left, self:projection_rhs(BP.star) })
end

-- Parses expr into an AST; raises a (pending) jmespath error.
function M.parse(expr)
    local self = setmetatable({ tokens = lexer.tokenize(expr), i = 1 }, P)
    local ast = self:expression(0)
    if self:cur() ~= "eof" then
        local t = self:peek(0)
        errors.parse(t, "Unexpected token: " .. pyfmt.str(t.value))
    end
    return ast
end

return M
