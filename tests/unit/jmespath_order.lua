-- Key order and string ordering of jmespath results, against jmespath.py.
--
-- The AWS CLI prints object keys in the order jmespath.py builds them:
-- input order for projections, values(), keys() and merge() (later
-- arguments update keys in place, new keys go last), the written order for
-- a multiselect hash. The conformance suite ignores key order, so this
-- test compares whole compact JSON texts. Every expected line below was
-- produced by jmespath.py 1.0.1 (python3-jmespath, Debian) with
--   json.dumps(jmespath.search(expr, data), separators=(',', ':'))
-- or, for failures, "E <category> " .. str(exception). It also covers
-- ordering comparisons on ISO 8601 strings, which jmespath.py allows.
--
--   ./iamlua run tests/unit/jmespath_order.lua

local jmespath = require "jmespath"
local json = require "jmespath.json"

local print, ipairs, assert, format, gsub, os_exit = print, ipairs, assert,
    string.format, string.gsub, os.exit

local DATA = [==[
{
  "Users": [
    {"UserName": "carol", "UserId": "AIDA3", "Path": "/", "CreateDate": "2021-03-04T05:06:07+00:00",
     "PasswordLastUsed": "2023-01-02T03:04:05+00:00", "Tags": [{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "prod"}], "KeyCount": 2},
    {"UserName": "alice", "UserId": "AIDA1", "Path": "/admins/", "CreateDate": "2019-12-31T23:59:59+00:00",
     "Tags": [{"Key": "env", "Value": "dev"}], "KeyCount": 0},
    {"UserName": "bob", "UserId": "AIDA2", "Path": "/", "CreateDate": "2020-06-15T12:00:00+00:00",
     "PasswordLastUsed": "2020-07-01T00:00:00+00:00", "Tags": [], "KeyCount": 1}
  ],
  "Policy": {"Version": "2012-10-17", "Statement": [{"Sid": "B", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
             {"Effect": "Deny", "Sid": "A", "Resource": ["arn:aws:s3:::x", "arn:aws:s3:::y"], "Action": ["s3:Put*"]}]},
  "z": {"zeta": 1, "alpha": 2, "mid": {"y": 1, "b": 2}},
  "a": {"k3": 3, "k1": 1, "k2": 2},
  "b": {"k2": 20, "k9": 90, "k1": 10},
  "nums": [3, 1.5, 2, 10],
  "ints": [4, 2, 9],
  "dates": ["2021-01-01", "2020-12-31T23:59:59Z", "2020-12-31", "2022-02-02T00:00:00Z"]
}
]==]

-- { expression, expected } pairs.
local CASES = {
    { [==[Users[0]]==],
      [==[R {"UserName":"carol","UserId":"AIDA3","Path":"/","CreateDate":"2021-03-04T05:06:07+00:00","PasswordLastUsed":"2023-01-02T03:04:05+00:00","Tags":[{"Key":"team","Value":"b"},{"Key":"env","Value":"prod"}],"KeyCount":2}]==] },
    { [==[Users[*].{Name: UserName, Id: UserId, Created: CreateDate}]==],
      [==[R [{"Name":"carol","Id":"AIDA3","Created":"2021-03-04T05:06:07+00:00"},{"Name":"alice","Id":"AIDA1","Created":"2019-12-31T23:59:59+00:00"},{"Name":"bob","Id":"AIDA2","Created":"2020-06-15T12:00:00+00:00"}]]==] },
    { [==[Users[].{z: UserName, a: Path, m: KeyCount}]==],
      [==[R [{"z":"carol","a":"/","m":2},{"z":"alice","a":"/admins/","m":0},{"z":"bob","a":"/","m":1}]]==] },
    { [==[{zeta: z, alpha: a, beta: b}]==],
      [==[R {"zeta":{"zeta":1,"alpha":2,"mid":{"y":1,"b":2}},"alpha":{"k3":3,"k1":1,"k2":2},"beta":{"k2":20,"k9":90,"k1":10}}]==] },
    { [==[{a: a.k1, b: b.k1, a: a.k3}]==],
      [==[R {"a":3,"b":10}]==] },
    { [==[z]==],
      [==[R {"zeta":1,"alpha":2,"mid":{"y":1,"b":2}}]==] },
    { [==[z.*]==],
      [==[R [1,2,{"y":1,"b":2}]]==] },
    { [==[*.k1]==],
      [==[R [1,10]]==] },
    { [==[z.mid]==],
      [==[R {"y":1,"b":2}]==] },
    { [==[Policy.Statement[*]]==],
      [==[R [{"Sid":"B","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Sid":"A","Resource":["arn:aws:s3:::x","arn:aws:s3:::y"],"Action":["s3:Put*"]}]]==] },
    { [==[Policy.Statement[].{Sid: Sid, Effect: Effect}]==],
      [==[R [{"Sid":"B","Effect":"Allow"},{"Sid":"A","Effect":"Deny"}]]==] },
    { [==[Policy.Statement[?Effect == 'Deny'] | [0]]==],
      [==[R {"Effect":"Deny","Sid":"A","Resource":["arn:aws:s3:::x","arn:aws:s3:::y"],"Action":["s3:Put*"]}]==] },
    { [==[merge(a, b)]==],
      [==[R {"k3":3,"k1":10,"k2":20,"k9":90}]==] },
    { [==[merge(b, a)]==],
      [==[R {"k2":2,"k9":90,"k1":1,"k3":3}]==] },
    { [==[merge(z, a, `{"zeta": 9, "new": true}`)]==],
      [==[R {"zeta":9,"alpha":2,"mid":{"y":1,"b":2},"k3":3,"k1":1,"k2":2,"new":true}]==] },
    { [==[keys(a)]==],
      [==[R ["k3","k1","k2"]]==] },
    { [==[keys(b)]==],
      [==[R ["k2","k9","k1"]]==] },
    { [==[values(a)]==],
      [==[R [3,1,2]]==] },
    { [==[values(z)]==],
      [==[R [1,2,{"y":1,"b":2}]]==] },
    { [==[keys(Users[0])]==],
      [==[R ["UserName","UserId","Path","CreateDate","PasswordLastUsed","Tags","KeyCount"]]==] },
    { [==[values(Users[1])]==],
      [==[R ["alice","AIDA1","/admins/","2019-12-31T23:59:59+00:00",[{"Key":"env","Value":"dev"}],0]]==] },
    { [==[to_string(Users[1])]==],
      [==[R "{\"UserName\":\"alice\",\"UserId\":\"AIDA1\",\"Path\":\"/admins/\",\"CreateDate\":\"2019-12-31T23:59:59+00:00\",\"Tags\":[{\"Key\":\"env\",\"Value\":\"dev\"}],\"KeyCount\":0}"]==] },
    { [==[to_string(z)]==],
      [==[R "{\"zeta\":1,\"alpha\":2,\"mid\":{\"y\":1,\"b\":2}}"]==] },
    { [==[to_string(merge(a, b))]==],
      [==[R "{\"k3\":3,\"k1\":10,\"k2\":20,\"k9\":90}"]==] },
    { [==[Users[].Tags[].{K: Key, V: Value}]==],
      [==[R [{"K":"team","V":"b"},{"K":"env","V":"prod"},{"K":"env","V":"dev"}]]==] },
    { [==[Users[?CreateDate > '2020-01-01T00:00:00+00:00'].UserName]==],
      [==[R ["carol","bob"]]==] },
    { [==[Users[?CreateDate < '2020-01-01'].UserName]==],
      [==[R ["alice"]]==] },
    { [==[Users[?CreateDate >= '2020-06-15T12:00:00+00:00'].UserName]==],
      [==[R ["carol","bob"]]==] },
    { [==[Users[?PasswordLastUsed <= '2021'].UserName]==],
      [==[R ["bob"]]==] },
    { [==[Users[?PasswordLastUsed == null].UserName]==],
      [==[R ["alice"]]==] },
    { [==[sort_by(Users, &CreateDate)[].UserName]==],
      [==[R ["alice","bob","carol"]]==] },
    { [==[sort_by(Users, &CreateDate)[-1].{U: UserName, C: CreateDate}]==],
      [==[R {"U":"carol","C":"2021-03-04T05:06:07+00:00"}]==] },
    { [==[max_by(Users, &CreateDate).UserName]==],
      [==[R "carol"]==] },
    { [==[min_by(Users, &CreateDate).UserName]==],
      [==[R "alice"]==] },
    { [==[sort(dates)]==],
      [==[R ["2020-12-31","2020-12-31T23:59:59Z","2021-01-01","2022-02-02T00:00:00Z"]]==] },
    { [==[max(dates)]==],
      [==[R "2022-02-02T00:00:00Z"]==] },
    { [==[min(dates)]==],
      [==[R "2020-12-31"]==] },
    { [==[dates[?@ > '2020-12-31']]==],
      [==[R ["2021-01-01","2020-12-31T23:59:59Z","2022-02-02T00:00:00Z"]]==] },
    { [==[dates[?@ < '2021']]==],
      [==[R ["2020-12-31T23:59:59Z","2020-12-31"]]==] },
    { [==[reverse(sort_by(Users, &UserName))[].UserName]==],
      [==[R ["carol","bob","alice"]]==] },
    { [==[Users[].[UserName, CreateDate > '2020']]==],
      [==[R [["carol",true],["alice",false],["bob",true]]]==] },
    { [==[avg(nums)]==],
      [==[R 4.125]==] },
    { [==[avg(ints)]==],
      [==[R 5.0]==] },
    { [==[sum(ints)]==],
      [==[R 15]==] },
    { [==[sum(nums)]==],
      [==[R 16.5]==] },
    { [==[to_number('1.0')]==],
      [==[R 1.0]==] },
    { [==[to_number('7')]==],
      [==[R 7]==] },
    { [==[length('añb😀')]==],
      [==[R 4]==] },
    { [==[ceil(`1.5`)]==],
      [==[R 2]==] },
    { [==[[Users[0].{b: UserName, a: UserId}, a]]==],
      [==[R [{"b":"carol","a":"AIDA3"},{"k3":3,"k1":1,"k2":2}]]==] },
    { [==[Users[0].Tags[?Key == 'env'] | [0].Value]==],
      [==[R "prod"]==] },
    { [==[{names: Users[].UserName, count: length(Users)}]==],
      [==[R {"names":["carol","alice","bob"],"count":3}]==] },
    { [==[Users[?KeyCount > `0`].{KeyCount: KeyCount, UserName: UserName}]==],
      [==[R [{"KeyCount":2,"UserName":"carol"},{"KeyCount":1,"UserName":"bob"}]]==] },
    { [==[Users | [?contains(Path, 'admin')] | [0].UserName]==],
      [==[R "alice"]==] },
    { [==[foo.bar]==],
      [==[R null]==] },
    { [==[Users[0].UserName.]==],
      [==[E syntax Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: eof: Parse error at column 18, token "" (EOF), for expression:
"Users[0].UserName."
                   ^]==] },
    { [==[Users[?CreateDate > `1`]]==],
      [==[E invalid-type '>' not supported between instances of 'str' and 'int']==] },
    { [==[length(`1`)]==],
      [==[E invalid-type In function length(), invalid type for value: 1, expected one of: ['string', 'array', 'object'], received: "number"]==] },
    { [==[sort_by(Users, &KeyCount)[].KeyCount]==],
      [==[R [0,1,2]]==] },
    { [==[to_string(`1.0`)]==],
      [==[R "1.0"]==] },
}

local function run(expr, data)
    local v, err = jmespath.search(expr, data)
    if err then return "E " .. err.code .. " " .. err.message end
    return "R " .. json.dumps(v)
end

local function main()
    local data = assert(json.loads(DATA))
    print("1.." .. #CASES)
    local failed = 0
    for i, c in ipairs(CASES) do
        local got = run(c[1], data)
        local name = gsub(c[1], "\n", "\\n")
        if got == c[2] then
            print(format("ok %d - %s", i, name))
        else
            failed = failed + 1
            print(format("not ok %d - %s\n#   expected: %s\n#   got:      %s",
                i, name, gsub(c[2], "\n", "\\n"), (gsub(got, "\n", "\\n"))))
        end
    end
    print(format("# jmespath order: %d passed, %d failed", #CASES - failed, failed))
    return failed == 0
end

os_exit(main())
