"""The pydantic check of the ecosystem tests (crates/ai21-contract/tests/it/ecosystem_python.rs).

Imports the pydantic v2 models that datamodel-code-generator wrote from the exported OpenAPI
document, and checks them against the contract's examples:

- every documented example (`valid` in schemas/examples/manifest.json) parses into the model
  of its kind, in pydantic's default (lax) mode and with `strict=True`, and writes back as the
  same JSON;
- every invalid example (`invalid`) is rejected with `strict=True`, but those listed in
  LEFT_OUT, which the generated models cannot express (each with the reason); those that lax
  mode accepts, because it converts the value, are exactly LAX_CONVERTS;
- with --base-url, the answers of `ai21-contract serve` parse too, which covers the kinds with
  no documented example: a stream's chunks, and the error envelope of a 401 and a 422.

Usage: pydantic_check.py --models DIR --examples DIR --kinds JSON [--base-url URL --key KEY]

`--kinds` maps each payload kind to its model, such as {"j2-complete.request":
"J2CompleteRequest"}. Prints one JSON line of counts; exits 1 listing every problem.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from pydantic import BaseModel, ValidationError

# Invalid examples the generated models accept, with the reason. The check fails when one of
# them becomes rejected, so the list stays true.
LEFT_OUT = {
    "invalid/jamba-chat.request.no-messages.json": "`contains` (at least one user or assistant message) has no pydantic counterpart; datamodel-code-generator drops it",
    "invalid/jamba-chat.request.only-system-message.json": "`contains`, as above",
    "invalid/j2-complete.request.logit-bias-not-number.json": "datamodel-code-generator types `logitBias` (`type: [object, null]` with number values) as `dict[str, Any]`",
}

# Invalid examples that pydantic's lax mode accepts by converting a value of the wrong type
# (`"true"` to True, `"46"` to 46); `strict=True` rejects them.
LAX_CONVERTS = {
    "invalid/jamba-chat.request.stream-string.json",
    "invalid/jamba-chat.response.total-tokens-string.json",
    "invalid/j2-complete.response.text-range-end-string.json",
}

TIMEOUT_SECONDS = 20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True, type=Path)
    parser.add_argument("--examples", required=True, type=Path)
    parser.add_argument("--kinds", required=True)
    parser.add_argument("--base-url")
    parser.add_argument("--key")
    arguments = parser.parse_args()

    sys.path.insert(0, str(arguments.models))
    models = importlib.import_module("ai21_models")
    problems: list[str] = []
    kinds: dict[str, type[BaseModel]] = {}
    for kind, name in json.loads(arguments.kinds).items():
        model = getattr(models, name, None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            problems.append(f"{kind}: the generated models have no pydantic model {name}")
            continue
        kinds[kind] = model

    manifest = json.loads((arguments.examples / "manifest.json").read_text(encoding="utf-8"))
    counts = {"valid": 0, "invalid_rejected": 0, "left_out": 0, "lax_converts": 0, "mock_answers": 0}

    for entry in manifest["valid"]:
        model = kinds.get(entry["kind"])
        if model is None:
            problems.append(f"{entry['file']}: no model for {entry['kind']}")
            continue
        text = (arguments.examples / entry["file"]).read_text(encoding="utf-8")
        problem = parses(model, text, entry["file"])
        if problem:
            problems.append(problem)
        else:
            counts["valid"] += 1

    lax_accepted = set()
    for entry in manifest["invalid"]:
        file = entry["file"]
        model = kinds.get(entry["kind"])
        if model is None:
            problems.append(f"{file}: no model for {entry['kind']}")
            continue
        text = (arguments.examples / file).read_text(encoding="utf-8")
        rejected = not accepts(model, text, strict=True)
        if file in LEFT_OUT:
            counts["left_out"] += 1
            if rejected:
                problems.append(f"{file}: now rejected by {model.__name__}; take it out of LEFT_OUT")
            continue
        if not rejected:
            problems.append(f"{file} ({entry['breaks']}): accepted by {model.__name__} with strict=True")
            continue
        counts["invalid_rejected"] += 1
        if accepts(model, text, strict=False):
            lax_accepted.add(file)
    counts["lax_converts"] = len(lax_accepted)
    if lax_accepted != LAX_CONVERTS:
        problems.append(
            f"lax mode accepts {sorted(lax_accepted)}, LAX_CONVERTS lists {sorted(LAX_CONVERTS)}"
        )

    if arguments.base_url:
        counts["mock_answers"] = check_mock(arguments, manifest, kinds, problems)

    print(json.dumps(counts, sort_keys=True))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def accepts(model: type[BaseModel], text: str, *, strict: bool) -> bool:
    try:
        model.model_validate_json(text, strict=strict)
    except ValidationError:
        return False
    return True


def parses(model: type[BaseModel], text: str, what: str) -> str | None:
    """None when the text parses, lax and strict, and writes back as the same JSON."""
    try:
        model.model_validate_json(text)
        parsed = model.model_validate_json(text, strict=True)
    except ValidationError as error:
        return f"{what}: {model.__name__} rejects it:\n{error}"
    written = json.loads(parsed.model_dump_json(by_alias=True, exclude_unset=True))
    if written != json.loads(text):
        return f"{what}: {model.__name__} writes it back as {json.dumps(written)}"
    return None


def post(url: str, body: dict, key: str | None) -> tuple[int, str, str]:
    """Status, content type and text of the answer to a JSON POST."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode("utf-8")


def check_mock(arguments, manifest: dict, kinds: dict[str, type[BaseModel]], problems: list[str]) -> int:
    """Parses the mock's answers to the documented requests, a stream and two errors."""
    answers = 0

    def expect(what: str, kind: str, got: tuple[int, str, str], wanted: int) -> None:
        nonlocal answers
        code, _, text = got
        if code != wanted:
            problems.append(f"{what}: the mock answered {code}, not {wanted}: {text[:300]}")
            return
        problem = parses(kinds[kind], text, f"{what} (the mock's answer)")
        if problem:
            problems.append(problem)
        else:
            answers += 1

    chat = None
    for entry in manifest["valid"]:
        if not entry["kind"].endswith(".request"):
            continue
        body = json.loads((arguments.examples / entry["file"]).read_text(encoding="utf-8"))
        url = arguments.base_url + entry["endpoint"]
        answer_kind = entry["kind"].replace(".request", ".response")
        expect(entry["file"], answer_kind, post(url, body, arguments.key), 200)
        if entry["kind"] == "jamba-chat.request":
            chat = (url, body)
    if chat is None:
        problems.append("no documented Jamba request to stream")
        return answers
    url, body = chat

    code, content_type, text = post(url, {**body, "n": 1, "stream": True}, arguments.key)
    if code != 200 or not content_type.startswith("text/event-stream"):
        problems.append(f"the stream: the mock answered {code} {content_type}: {text[:300]}")
    else:
        events = [line[len("data: "):] for line in text.split("\n") if line.startswith("data: ")]
        if not events or events[-1] != "[DONE]":
            problems.append(f"the stream does not end with [DONE]: {text[-300:]}")
        for index, event in enumerate(events[:-1]):
            problem = parses(kinds["jamba-chat.stream-chunk"], event, f"the stream's event {index}")
            if problem:
                problems.append(problem)
            else:
                answers += 1

    expect("a request without a key", "error.response", post(url, body, None), 401)
    expect("a request with n = 0", "error.response", post(url, {**body, "n": 0}, arguments.key), 422)
    return answers


if __name__ == "__main__":
    sys.exit(main())
