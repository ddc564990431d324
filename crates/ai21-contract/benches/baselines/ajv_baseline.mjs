// The Node baseline of the validate benchmark: ajv (draft 2020-12).
//
// Usage: node ajv_baseline.mjs SCHEMAS_DIR CAPTURE ITERATIONS
//
// Reads the capture once, then ITERATIONS times parses every line with JSON.parse and
// validates its request body and its response body (each event of a stream, the error
// envelope for a status of 400 or more) with ajv, as the Rust `Value + jsonschema`
// baseline does. Prints the nanoseconds the loop took and the number of invalid records
// of one pass.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";

const [schemasDir, capture, iterationsText] = process.argv.slice(2);
const iterations = Number(iterationsText);
const kinds = [
  "j2-complete.request",
  "j2-complete.response",
  "jamba-chat.request",
  "jamba-chat.response",
  "jamba-chat.stream-chunk",
  "error.response",
];
// Not strict: the schemas carry annotations of their own (x-ai21-content), which JSON
// Schema allows and ajv's strict mode refuses.
const ajv = new Ajv2020({ strict: false });
const validators = Object.fromEntries(
  kinds.map((kind) => [
    kind,
    ajv.compile(JSON.parse(readFileSync(join(schemasDir, `${kind}.schema.json`), "utf8"))),
  ]),
);
const lines = readFileSync(capture, "utf8").split("\n").filter((line) => line.length > 0);

function onePass() {
  let invalid = 0;
  for (const line of lines) {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      invalid += 1;
      continue;
    }
    const chat = String(record.url ?? "").endsWith("/chat/completions");
    const [requestKind, responseKind] = chat
      ? ["jamba-chat.request", "jamba-chat.response"]
      : ["j2-complete.request", "j2-complete.response"];
    let valid = validators[requestKind](record.request.body);
    const response = record.response;
    const body = response.body;
    if (typeof body === "string") {
      for (const event of body.split("\n")) {
        if (event.startsWith("data: ") && event !== "data: [DONE]") {
          let chunk = null;
          try {
            chunk = JSON.parse(event.slice(6));
          } catch {
            chunk = null;
          }
          valid = validators["jamba-chat.stream-chunk"](chunk) && valid;
        }
      }
    } else if ((response.status ?? 200) >= 400) {
      valid = validators["error.response"](body) && valid;
    } else {
      valid = validators[responseKind](body) && valid;
    }
    invalid += valid ? 0 : 1;
  }
  return invalid;
}

const invalid = onePass();
const start = process.hrtime.bigint();
for (let i = 0; i < iterations; i += 1) {
  onePass();
}
console.log(`${process.hrtime.bigint() - start} ${invalid}`);
