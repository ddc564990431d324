"""Schemathesis hooks of the ecosystem check (crates/ai21-contract/tests/it/ecosystem_python.rs).

Loaded with `SCHEMATHESIS_HOOKS=schemathesis_hooks` (this folder on `PYTHONPATH`).

Schemathesis's positive mode generates what the exported document's JSON Schemas accept.
Four rules of a Jamba request are not in the schemas but in the validator (docs/export.md,
"What an export cannot say"; docs/validator.md): a JSON Schema draft 2020-12 could state
three of them with `if`/`then` and `anyOf`, but the code generator takes neither, and a rule
stated in both places would be reported twice. The real API refuses such requests too, so a
schema-valid request that breaks one is not positive data, and `serve --strict` refuses it
with 422 naming the rule.

So the exclusion is narrow, and checked both ways:

- `filter_failure` drops a `positive_data_acceptance` failure only when the answer is a 422
  whose problems name exactly the rules that `broken_rules` (below, a restatement of the
  four) finds broken in the body. Any other rejection of positive data still fails the run.
- `contract_rules_refused`, a check of its own, fails a positive case whose body breaks one
  of the rules but was answered with a success: the mock must refuse what the rules refuse.

`broken_rules` restates the validator's rules (crates/ai21-validate/src/rule/jamba.rs); a
difference between the two shows up as a failure of one of the two hooks, never as a pass.
"""

from __future__ import annotations

import json
import math
from typing import Any

import schemathesis
from schemathesis.generation import GenerationMode

# The schema's defaults, as the validator takes them for an absent or `null` parameter.
JAMBA_DEFAULT_N = 1
JAMBA_DEFAULT_TEMPERATURE = 0.4
JAMBA_DEFAULT_STREAM = False

CHAT_OPERATION = "POST /studio/v1/chat/completions"


def _integer(value: Any) -> int | None:
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value >= 0 and value.is_integer():
        return int(value)
    return None


def _number(value: Any) -> float | None:
    if type(value) in (int, float):
        return float(value)
    return None


def _parameter(body: dict, name: str, read, default):
    value = read(body.get(name))
    return default if value is None else value


def _is_json(text: str) -> bool:
    """Whether serde_json would read the text: strict JSON, no NaN or Infinity, no lone surrogate."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        value = json.loads(text, parse_constant=refuse)
    except (ValueError, RecursionError):
        return False

    def no_lone_surrogate(item: Any) -> bool:
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
            return True
        if isinstance(item, list):
            return all(no_lone_surrogate(element) for element in item)
        if isinstance(item, dict):
            return all(no_lone_surrogate(key) and no_lone_surrogate(element) for key, element in item.items())
        if isinstance(item, float):
            return math.isfinite(item)
        return True

    return no_lone_surrogate(value)


def broken_rules(body: Any) -> set[str]:
    """The rules of a Jamba request, beyond its schema, that the body breaks."""
    broken: set[str] = set()
    if not isinstance(body, dict):
        return broken
    n = _parameter(body, "n", _integer, JAMBA_DEFAULT_N)
    temperature = _parameter(body, "temperature", _number, JAMBA_DEFAULT_TEMPERATURE)
    stream = body.get("stream")
    stream = stream if type(stream) is bool else JAMBA_DEFAULT_STREAM
    if n > 1 and temperature <= 0:
        broken.add("jamba/n-needs-temperature")
    if stream and n != 1:
        broken.add("jamba/stream-needs-single-choice")
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            for call in calls:
                function = call.get("function") if isinstance(call, dict) else None
                arguments = function.get("arguments") if isinstance(function, dict) else None
                if isinstance(arguments, str) and not _is_json(arguments):
                    broken.add("jamba/tool-arguments-json")
        if message.get("role") == "assistant" and _assistant_message_empty(message):
            broken.add("jamba/assistant-message-empty")
    return broken


def _assistant_message_empty(message: dict) -> bool:
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        return False  # the schema's finding
    calls = message.get("tool_calls")
    if calls is not None and not isinstance(calls, list):
        return False  # the schema's finding
    return not calls and not content


def _positive_chat_case(case) -> bool:
    meta = case.meta
    return (
        meta is not None
        and meta.generation.mode == GenerationMode.POSITIVE
        and case.operation.label == CHAT_OPERATION
    )


def _named_rules(response) -> set[str] | None:
    """The rules a 422 of the mock names, or None for any other answer."""
    if response.status_code != 422:
        return None
    try:
        problems = response.json()["detail"]
        return {problem["type"] for problem in problems}
    except (ValueError, KeyError, TypeError):
        return None


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure but the rejection of a positive case that breaks a rule, refused for it."""
    if failure.code != "ST202" or not _positive_chat_case(case):
        return True
    broken = broken_rules(case.body)
    return not broken or _named_rules(response) != broken


@schemathesis.check
def contract_rules_refused(ctx, response, case):
    """A schema-valid Jamba request that breaks a rule of the contract is refused with 422 naming it."""
    if not _positive_chat_case(case):
        return None
    broken = broken_rules(case.body)
    if broken and response.status_code < 400:
        raise AssertionError(
            f"the request breaks {', '.join(sorted(broken))}, but the mock answered {response.status_code}"
        )
    return None
