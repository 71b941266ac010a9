-- LuaRocks package of iamlua's `aws` module (and the iamlua command), built
-- by the project's own Makefile: `make` builds aws.so, `make install-rock`
-- puts it in the rock's lib dir and the command in its bin dir.
--   luarocks --lua-version 5.4 make rockspecs/iamlua-0.1.0-1.rockspec   (in a checkout)
--   luarocks --lua-version 5.4 build rockspecs/iamlua-0.1.0-1.rockspec  (from the tarball)
-- The C libraries come from the system (Debian: see tools/setup.sh).
rockspec_format = "3.0"
package = "iamlua"
version = "0.1.0-1"
source = {
   -- `make dist` writes build/iamlua-0.1.0.tar.gz from the v0.1.0 tag;
   -- publish it next to this rockspec.
   url = "iamlua-0.1.0.tar.gz",
   dir = "iamlua-0.1.0",
}
description = {
   summary = "AWS IAM from Lua: SigV4 signing, IAM/STS Query calls, concurrency",
   detailed = [[
The `aws` module of iamlua for a stock Lua 5.4: aws.client(service, opts)
with client:call and client:paginate for any IAM or STS Query action,
aws.parallel for many requests at once over kept-alive connections,
aws.sign (AWS Signature Version 4), aws.query (JMESPath), aws.json,
aws.yaml and aws.time. Also installs the iamlua command, a drop-in for
`aws iam get-access-key-last-used`.
]],
   license = "MIT",
   labels = { "aws", "iam", "sigv4", "jmespath" },
}
dependencies = {
   "lua >= 5.4, < 5.5",
}
-- The C libraries (libcurl, libxml2, OpenSSL, jansson, libyaml, libedit)
-- are found by the Makefile with pkg-config, which knows Debian's multiarch
-- include directories that external_dependencies would not search.
build = {
   type = "make",
   -- CFLAGS is left to the Makefile: passing luarocks' would drop its
   -- -std and warning flags.
   build_variables = {},
   install_target = "install-rock",
   install_variables = {
      LUAMODDIR = "$(LIBDIR)",
      BINDIR = "$(BINDIR)",
   },
}
