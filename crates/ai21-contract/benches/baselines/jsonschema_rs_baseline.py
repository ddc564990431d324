"""The Python baseline of the validate benchmark: jsonschema-rs with orjson.

Usage: python jsonschema_rs_baseline.py SCHEMAS_DIR CAPTURE ITERATIONS

Reads the capture once, then ITERATIONS times parses every line with orjson and validates
its request body and its response body (each event of a stream, the error envelope for a
status of 400 or more) with jsonschema-rs, as the Rust `Value + jsonschema` baseline does.
Prints the nanoseconds the loop took and the number of invalid records of one pass.
"""

import sys
import time
from pathlib import Path

import jsonschema_rs
import orjson

KINDS = [
    "j2-complete.request",
    "j2-complete.response",
    "jamba-chat.request",
    "jamba-chat.response",
    "jamba-chat.stream-chunk",
    "error.response",
]


def main() -> None:
    schemas_dir, capture, iterations = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    validators = {
        kind: jsonschema_rs.validator_for(
            orjson.loads((schemas_dir / f"{kind}.schema.json").read_bytes())
        )
        for kind in KINDS
    }
    lines = [line for line in Path(capture).read_bytes().split(b"\n") if line]

    def one_pass() -> int:
        invalid = 0
        for line in lines:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                invalid += 1
                continue
            chat = str(record.get("url", "")).endswith("/chat/completions")
            request_kind, response_kind = (
                ("jamba-chat.request", "jamba-chat.response")
                if chat
                else ("j2-complete.request", "j2-complete.response")
            )
            valid = validators[request_kind].is_valid(record["request"].get("body"))
            response = record["response"]
            body = response.get("body")
            if isinstance(body, str):
                for event in body.splitlines():
                    if event.startswith("data: ") and event != "data: [DONE]":
                        try:
                            chunk = orjson.loads(event[6:])
                        except orjson.JSONDecodeError:
                            chunk = None
                        valid &= validators["jamba-chat.stream-chunk"].is_valid(chunk)
            elif response.get("status", 200) >= 400:
                valid &= validators["error.response"].is_valid(body)
            else:
                valid &= validators[response_kind].is_valid(body)
            invalid += 0 if valid else 1
        return invalid

    invalid = one_pass()
    start = time.perf_counter_ns()
    for _ in range(iterations):
        one_pass()
    print(time.perf_counter_ns() - start, invalid)


main()
