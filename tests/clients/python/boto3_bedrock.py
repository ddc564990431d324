"""boto3's `bedrock-runtime` client, unchanged, against the mock's Bedrock routes.

Runs `invoke_model` and `invoke_model_with_response_stream` through boto3 (signed with
SigV4 by botocore, as against AWS) on `ai21-contract serve --strict --record FILE`; the
harness (crates/ai21-contract/tests/it/boto3.rs) then validates the recording. Every call
sends the header `x-ai21-contract-case: <case id>` (added before signing), so each
recorded exchange can be tied to its case.

Usage: python boto3_bedrock.py --base-url http://127.0.0.1:PORT CASE...

The credentials come from the environment as boto3 reads them (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY; the harness sets dummy ones and no configuration files). The script
prints a first line {"sdk": "boto3", "version", "botocore"}, then one JSON line per case
named, in order: {"case", "ok": true, "answered": <calls answered>, "detail"}, or {"case",
"ok": false, "answered", "error": <exception class>, "status": <HTTP status or null>,
"details": ...}. It never stops at the first failure, and exits 0 when it could run the
cases (whatever their outcome), 2 on bad arguments.
"""

import argparse
import json
import sys
import traceback

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

CASE_HEADER = "x-ai21-contract-case"
REGION = "us-east-1"
J2_MODEL = "ai21.j2-mid-v1"
JAMBA_MODEL = "ai21.jamba-1-5-mini-v1:0"


class Calls:
    """Counts the calls of a case that were answered, for its report line."""

    def __init__(self):
        self.count = 0

    def __call__(self, result):
        self.count += 1
        return result


def client(case, base_url):
    runtime = boto3.client(
        "bedrock-runtime",
        endpoint_url=base_url,
        region_name=REGION,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=20),
    )

    def add_case_header(request, **_):
        request.headers[CASE_HEADER] = case

    runtime.meta.events.register("before-sign.bedrock-runtime.*", add_case_header)
    return runtime


def chat_body(content):
    # No `model` and no `stream`: Bedrock takes both from the URL.
    return json.dumps({"messages": [{"role": "user", "content": content}], "max_tokens": 64})


def read_json(response):
    assert response["contentType"].startswith("application/json"), response["contentType"]
    return json.loads(response["body"].read())


def j2_invoke(runtime, calls):
    body = read_json(
        calls(
            runtime.invoke_model(
                modelId=J2_MODEL,
                body=json.dumps({"prompt": "These are a few of my favorite", "maxTokens": 12, "numResults": 2}),
                contentType="application/json",
                accept="application/json",
            )
        )
    )
    assert body["id"] == 1234, body["id"]
    assert len(body["completions"]) == 2, body
    return f"{len(body['completions'])} completions, id {body['id']}"


def jamba_invoke(runtime, calls):
    body = read_json(
        calls(
            runtime.invoke_model(
                modelId=JAMBA_MODEL,
                body=chat_body("Tell me something about honey."),
                contentType="application/json",
                accept="application/json",
            )
        )
    )
    assert body["choices"][0]["message"]["content"], body
    assert body["model"] == "jamba-1.5-mini", body["model"]
    assert "requestDurationMillis" in body["meta"], body
    return f"answered by {body['model']}"


def jamba_stream(runtime, calls):
    response = calls(
        runtime.invoke_model_with_response_stream(
            modelId=JAMBA_MODEL,
            body=chat_body("Tell me a story."),
            contentType="application/json",
            accept="application/json",
        )
    )
    chunks = []
    for event in response["body"]:
        assert "chunk" in event, event
        chunks.append(json.loads(event["chunk"]["bytes"]))
    pieces = [
        choice["delta"].get("content") or ""
        for chunk in chunks
        for choice in chunk.get("choices", [])
    ]
    assert "".join(pieces), "the stream carried no text"
    finished = [chunk for chunk in chunks if any(choice.get("finish_reason") for choice in chunk.get("choices", []))]
    assert finished and finished[-1]["usage"]["total_tokens"] > 0, chunks
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["outputTokenCount"] == finished[-1]["usage"]["completion_tokens"], chunks[-1]
    return f"{len(chunks)} events, {len(pieces)} pieces of text reassembled"


def j2_stream_refused(runtime, calls):
    try:
        runtime.invoke_model_with_response_stream(
            modelId=J2_MODEL,
            body=json.dumps({"prompt": "Once upon a time"}),
            contentType="application/json",
            accept="application/json",
        )
    except ClientError as error:
        calls(error)
        code = error.response["Error"]["Code"]
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        assert code == "ValidationException" and status == 400, error.response
        return f"{code} ({status}): {error.response['Error']['Message']}"
    raise AssertionError("J2 streamed on Bedrock")


CASES = {
    "bedrock-j2-invoke": j2_invoke,
    "bedrock-jamba-invoke": jamba_invoke,
    "bedrock-jamba-stream": jamba_stream,
    "bedrock-j2-stream-refused": j2_stream_refused,
}


def run_case(case, base_url):
    calls = Calls()
    try:
        if case not in CASES:
            return {"case": case, "ok": False, "answered": 0, "error": "UnknownCase", "status": None, "details": "no such case"}
        detail = CASES[case](client(case, base_url), calls)
        return {"case": case, "ok": True, "answered": calls.count, "detail": detail}
    except Exception as error:  # noqa: BLE001: every failure is reported, none stops the suite
        status = None
        if isinstance(error, ClientError):
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return {
            "case": case,
            "ok": False,
            "answered": calls.count,
            "error": type(error).__name__,
            "status": status,
            "details": str(error) or traceback.format_exc(limit=3),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the mock's root URL, such as http://127.0.0.1:8021")
    parser.add_argument("cases", nargs="+", help="the case ids to run, in order")
    arguments = parser.parse_args()
    print(json.dumps({"sdk": "boto3", "version": boto3.__version__, "botocore": botocore.__version__}), flush=True)
    for case in arguments.cases:
        print(json.dumps(run_case(case, arguments.base_url.rstrip("/"))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
