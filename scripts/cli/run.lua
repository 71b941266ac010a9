-- cli.run: `iamlua run SCRIPT.lua [ARG ...]`, with `arg` set as lua(1) sets
-- it (arg[0] the script, arg[1..] its arguments, negative indices the
-- interpreter and "run") and the arguments also passed as `...`.
local loadfile, select, type, tostring = loadfile, select, type, tostring
local io_stderr = io.stderr
local table_unpack = table.unpack

return function(host, g, rest)
    local script = rest[2]
    if not script then
        require("cli.argparse").fail("the following arguments are required: script")
    end
    local args = { [-2] = "iamlua", [-1] = "run", [0] = script }
    for i = 3, #rest do args[i - 2] = rest[i] end
    _G.arg = args
    local chunk, lerr = loadfile(script, "t")
    if not chunk then
        if not lerr:find(script, 1, true) then lerr = script .. ": " .. lerr end
        io_stderr:write("iamlua: ", lerr, "\n")
        return 1
    end
    local ok, r = xpcall(chunk, function(e)
        if type(e) == "table" and getmetatable(e) and getmetatable(e).__tostring then
            return tostring(e)
        end
        return debug.traceback(tostring(e), 2)
    end, table_unpack(args, 1, #rest - 2))
    io.stdout:flush()
    if not ok then
        if host.interrupted() then return 130 end -- Ctrl-C, as lua(1)+shell
        io_stderr:write("iamlua: ", tostring(r), "\n")
        return 1
    end
    if math.type(r) == "integer" then return r end
    if r == false then return 1 end
    return 0
end
