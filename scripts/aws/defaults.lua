-- aws.defaults: what the global options given before `run`, `-e` or `-i`
-- make the defaults of every client and output of the script (DESIGN.md
-- 1.1): profile, region, endpoint_url, debug, verify_ssl, ca_bundle,
-- read_timeout, connect_timeout (client options, filled in where a
-- client's own options leave them unset) and color (aws.format/print).
-- scripts/cli/run.lua fills it; empty for aws.so in a stock interpreter.
return {}
