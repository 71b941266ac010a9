// validate.js SCHEMA DATA: checks a JSON document against a JSON Schema
// (draft-04, as SARIF 2.1.0's is, or later) with ajv; prints each error
// and exits 1 when the document is invalid, 2 on a usage or read error.
"use strict";
const fs = require("fs");
const path = require("path");

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write("usage: node validate.js SCHEMA DATA\n");
    return 2;
  }
  const schema = JSON.parse(fs.readFileSync(argv[0], "utf8"));
  const data = JSON.parse(fs.readFileSync(argv[1], "utf8"));
  const draft04 = /draft-04/.test(schema.$schema || "");
  const Ajv = draft04 ? require("ajv-draft-04") : require("ajv");
  const ajv = new Ajv({ allErrors: true, strict: false });
  require("ajv-formats")(ajv);
  const validate = ajv.compile(schema);
  if (validate(data)) {
    process.stdout.write("valid\n");
    return 0;
  }
  for (const e of validate.errors) {
    process.stdout.write(`${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}\n`);
  }
  return 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`validate.js: ${e.message}\n`);
  process.exitCode = 2;
}
