"""The client conformance suite: the official AI21 Python SDK, unchanged, against a mock.

Drives `ai21` (2.15.2 or 4.3.0, whichever is installed) through its public surface
against `ai21-contract serve --strict --record FILE`; the harness
(crates/ai21-contract/tests/it/clients.rs) then validates the recording. Each case names
a feature and may make several calls; every case builds a fresh client that sends the
header `x-ai21-contract-case: <case id>`, so each recorded exchange can be tied to its
case.

Usage: python conformance.py --base-url http://127.0.0.1:PORT CASE...

The partner cases (`bedrock-*`, `vertex-*`, `azure-*`, ai21 4.x only) drive the SDK's
`AI21BedrockClient`, `AI21VertexClient` and `AI21AzureClient` with `base_url` pointed at
the mock's partner routes: Bedrock signs with boto3's credentials from the environment
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: dummy ones work), Vertex takes an access token
and a project instead of Google credentials, Azure takes the API key (or an Azure AD
token).

The API key comes from AI21_API_KEY (any non-empty key works against the mock). The
script prints a first line {"sdk": "ai21", "version": ...}, then one JSON line per case
named, in order: {"case", "ok": true, "answered": <calls answered>, "detail"}, or {"case",
"ok": false, "answered", "error": <exception class>, "status": <HTTP status or null>,
"details": ...}. It never
stops at the first failure, and exits 0 when it could run the cases (whatever their
outcome), 2 on bad arguments.
"""

import argparse
import asyncio
import json
import os
import sys
import traceback

import ai21
from ai21 import AI21Client, AsyncAI21Client
from ai21.models.chat import AssistantMessage, SystemMessage, ToolMessage, UserMessage

# Every request of the SDK gives up after this many seconds: a hung call fails its case
# instead of hanging the suite (the harness has its own deadline for the whole run).
TIMEOUT_SECONDS = 20
CASE_HEADER = "x-ai21-contract-case"
J2_MODEL = "j2-ultra"
CHAT_MODEL = "jamba-mini"
BEDROCK_MODEL = "ai21.jamba-1-5-mini-v1:0"
VERTEX_MODEL = "jamba-1.5-mini@001"
AZURE_MODEL = "jamba-1.5-mini"
REGION = "us-east-1"

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city"}},
            "required": ["city"],
        },
    },
}

DOCUMENTS = [
    {"id": "doc-1", "content": "Honey never spoils.", "metadata": {"source": "facts", "topic": "food"}},
    {"content": "Octopuses have three hearts."},
]


class Calls:
    """Counts the calls of a case that were answered, for its report line."""

    def __init__(self):
        self.count = 0

    def __call__(self, result):
        self.count += 1
        return result


def client(case, base_url):
    return AI21Client(
        api_key=os.environ["AI21_API_KEY"],
        api_host=base_url + "/studio/v1",
        headers={CASE_HEADER: case},
        timeout_sec=TIMEOUT_SECONDS,
        num_retries=0,
    )


def async_client(case, base_url):
    return AsyncAI21Client(
        api_key=os.environ["AI21_API_KEY"],
        api_host=base_url + "/studio/v1",
        headers={CASE_HEADER: case},
        timeout_sec=TIMEOUT_SECONDS,
        num_retries=0,
    )


def text_of(response):
    content = response.choices[0].message.content
    assert content, f"no content in {response}"
    return content


def user(content):
    return UserMessage(content=content)


# --- J2 completion (ai21 2.x only) -------------------------------------------------------


def j2_every_parameter(sdk, calls):
    response = calls(
        sdk.completion.create(
            model=J2_MODEL,
            prompt="These are a few of my favorite",
            max_tokens=12,
            num_results=2,
            min_tokens=2,
            temperature=0.7,
            top_p=0.9,
            top_k_return=3,
            stop_sequences=["##", "\n\n"],
            epoch=1,
            logit_bias={"▁honey": 2.0, "▁the": -1.5},
        )
    )
    assert len(response.completions) == 2, response
    assert response.prompt.text == "These are a few of my favorite", response.prompt
    return f"{len(response.completions)} completions"


def j2_custom_model(sdk, calls):
    response = calls(sdk.completion.create(model="j2-mid", custom_model="my-fine-tune", prompt="Once upon a time"))
    assert response.completions, response
    return "answered on /studio/v1/j2-mid/my-fine-tune/complete"


def j2_none_optional(sdk, calls):
    # The penalties are left out: the SDK itself fails on None there (it dumps the value
    # as a pydantic model before sending anything).
    response = calls(
        sdk.completion.create(
            model=J2_MODEL,
            prompt="These are a few of my favorite",
            max_tokens=None,
            num_results=None,
            min_tokens=None,
            temperature=None,
            top_p=None,
            top_k_return=None,
            custom_model=None,
            stop_sequences=None,
            epoch=None,
            logit_bias=None,
        )
    )
    assert response.completions, response
    return "answered"


def j2_penalty_model(sdk, calls):
    from ai21.models import Penalty

    response = calls(
        sdk.completion.create(
            model=J2_MODEL,
            prompt="These are a few of my favorite",
            frequency_penalty=Penalty(scale=1.0, apply_to_numbers=True),
            presence_penalty=Penalty(scale=0.5, apply_to_whitespaces=False, apply_to_emojis=True),
            count_penalty=Penalty(scale=0.2, apply_to_stopwords=False),
        )
    )
    return f"answered with {len(response.completions)} completion(s)"


def j2_penalty_camelcase_kwargs(sdk, calls):
    # The workaround: camelCase penalty dicts through **kwargs, which the SDK merges into
    # the body as given (completion_base.py, `_create_body`).
    response = calls(
        sdk.completion.create(
            model=J2_MODEL,
            prompt="These are a few of my favorite",
            frequencyPenalty={"scale": 1.0, "applyToNumbers": True},
            presencePenalty={"scale": 0.5, "applyToWhitespaces": False, "applyToEmojis": True},
            countPenalty={"scale": 0.2, "applyToStopwords": False},
        )
    )
    assert response.completions, response
    return "answered"


# --- Jamba chat ---------------------------------------------------------------------------


def chat_every_parameter(sdk, calls):
    response = calls(
        sdk.chat.completions.create(
            model=CHAT_MODEL,
            messages=[
                SystemMessage(content="You are a concise assistant."),
                user("Tell me something about honey."),
                AssistantMessage(content="Honey never spoils."),
                user("And about octopuses?"),
            ],
            max_tokens=64,
            temperature=0.7,
            top_p=0.9,
            stop=["##"],
            n=2,
            stream=False,
            tools=[WEATHER_TOOL],
            response_format={"type": "text"},
            documents=DOCUMENTS,
        )
    )
    assert len(response.choices) == 2, response
    return "2 choices"


def chat_messages_all_roles(sdk, calls):
    first = calls(
        sdk.chat.completions.create(
            model=CHAT_MODEL,
            messages=[SystemMessage(content="Be brief."), user("Call get_weather for Paris.")],
            tools=[WEATHER_TOOL],
        )
    )
    call = first.choices[0].message.tool_calls[0]
    response = calls(
        sdk.chat.completions.create(
            model=CHAT_MODEL,
            messages=[
                SystemMessage(content="Be brief."),
                user("Call get_weather for Paris."),
                AssistantMessage(content=None, tool_calls=[call]),
                ToolMessage(tool_call_id=call.id, content='{"temperature": 21}'),
                user("Thanks. Anything else?"),
            ],
            tools=[WEATHER_TOOL],
        )
    )
    text_of(response)
    return "system, user, assistant and tool messages"


def chat_stop(sdk, calls):
    for stop in ["##", ["##", "\n\n"]]:
        text_of(calls(sdk.chat.completions.create(model=CHAT_MODEL, messages=[user("Count to ten.")], stop=stop)))
    return "stop as a string and as a list"


def chat_n(sdk, calls):
    response = calls(
        sdk.chat.completions.create(model=CHAT_MODEL, messages=[user("Name a fruit.")], n=3, temperature=0.8)
    )
    assert len(response.choices) == 3, response
    return "3 choices"


def chat_response_format(sdk, calls):
    text_of(
        calls(
            sdk.chat.completions.create(
                model=CHAT_MODEL, messages=[user("Say hello.")], response_format={"type": "text"}
            )
        )
    )
    answer = text_of(
        calls(
            sdk.chat.completions.create(
                model=CHAT_MODEL,
                messages=[user("Describe honey as a JSON object.")],
                response_format={"type": "json_object"},
            )
        )
    )
    assert isinstance(json.loads(answer), dict), answer
    return "text, and json_object answered with a JSON object"


def chat_documents(sdk, calls):
    text_of(
        calls(
            sdk.chat.completions.create(
                model=CHAT_MODEL, messages=[user("What do the documents say?")], documents=DOCUMENTS
            )
        )
    )
    return "documents with id and metadata"


def chat_none_optional(sdk, calls):
    text_of(
        calls(
            sdk.chat.completions.create(
                model=CHAT_MODEL,
                messages=[user("Tell me something I don't know.")],
                max_tokens=None,
                temperature=None,
                top_p=None,
                stop=None,
                n=None,
                stream=None,
                tools=None,
                response_format=None,
                documents=None,
            )
        )
    )
    return "answered"


def chat_multi_turn(sdk, calls):
    messages = [user("Tell me something I don't know.")]
    first = calls(sdk.chat.completions.create(model=CHAT_MODEL, messages=messages))
    messages += [AssistantMessage(content=text_of(first)), user("Tell me more.")]
    second = calls(sdk.chat.completions.create(model=CHAT_MODEL, messages=messages))
    # The response's own message object goes back as it is.
    messages += [second.choices[0].message, user("And one more thing?")]
    text_of(calls(sdk.chat.completions.create(model=CHAT_MODEL, messages=messages)))
    return "3 turns"


def chat_tool_call_loop(sdk, calls):
    messages = [user("What is the weather in Paris? Use get_weather.")]
    first = calls(sdk.chat.completions.create(model=CHAT_MODEL, messages=messages, tools=[WEATHER_TOOL]))
    message = first.choices[0].message
    assert message.tool_calls, f"no tool call in {first}"
    call = message.tool_calls[0]
    assert call.function.name == "get_weather", call
    json.loads(call.function.arguments)
    messages += [
        AssistantMessage(content=None, tool_calls=message.tool_calls),
        ToolMessage(tool_call_id=call.id, content='{"temperature": 21, "sky": "clear"}'),
    ]
    final = calls(sdk.chat.completions.create(model=CHAT_MODEL, messages=messages, tools=[WEATHER_TOOL]))
    text_of(final)
    return "tool call, tool result, final answer"


def chat_stream(sdk, calls):
    stream = calls(
        sdk.chat.completions.create(model=CHAT_MODEL, messages=[user("Tell me a story.")], max_tokens=32, stream=True)
    )
    pieces = []
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
    assert "".join(pieces), "the stream carried no text"
    return f"{len(pieces)} pieces of text reassembled"


def chat_async(case, base_url, calls):
    async def run():
        sdk = async_client(case, base_url)
        return text_of(
            calls(await sdk.chat.completions.create(model=CHAT_MODEL, messages=[user("Hello from asyncio.")]))
        )

    asyncio.run(run())
    return "answered"


def chat_async_stream(case, base_url, calls):
    async def run():
        sdk = async_client(case, base_url)
        stream = calls(
            await sdk.chat.completions.create(model=CHAT_MODEL, messages=[user("Stream, please.")], stream=True)
        )
        pieces = []
        async for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.content:
                    pieces.append(choice.delta.content)
        assert "".join(pieces), "the stream carried no text"
        return len(pieces)

    return f"{asyncio.run(run())} pieces of text reassembled"


# --- The partner clients (ai21 4.x) -------------------------------------------------------


def bedrock_client(case, base_url):
    import boto3
    from ai21 import AI21BedrockClient

    return AI21BedrockClient(
        base_url=base_url,
        region=REGION,
        session=boto3.Session(region_name=REGION),
        headers={CASE_HEADER: case},
        timeout_sec=TIMEOUT_SECONDS,
        num_retries=0,
    )


def vertex_client(case, base_url):
    from ai21 import AI21VertexClient

    # An access token and a project: no Google credentials are looked up.
    return AI21VertexClient(
        base_url=base_url + "/v1",
        region="us-central1",
        project_id="mock-project",
        access_token=os.environ["AI21_API_KEY"],
        headers={CASE_HEADER: case},
        timeout_sec=TIMEOUT_SECONDS,
        num_retries=0,
    )


def azure_client(case, base_url, ad_token=False):
    from ai21 import AI21AzureClient

    credential = {"azure_ad_token": os.environ["AI21_API_KEY"]} if ad_token else {"api_key": os.environ["AI21_API_KEY"]}
    return AI21AzureClient(
        base_url=base_url,
        default_headers={CASE_HEADER: case},
        timeout_sec=TIMEOUT_SECONDS,
        num_retries=0,
        **credential,
    )


def partner_chat(sdk, calls, model):
    response = calls(
        sdk.chat.completions.create(
            model=model,
            messages=[SystemMessage(content="Be brief."), user("Tell me something about honey.")],
            max_tokens=64,
            temperature=0.7,
        )
    )
    return f"answered: {text_of(response)[:24]}..."


def partner_stream(sdk, calls, model):
    stream = calls(
        sdk.chat.completions.create(model=model, messages=[user("Tell me a story.")], max_tokens=32, stream=True)
    )
    pieces = []
    finish_reasons = []
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finish_reasons.append(choice.finish_reason)
    assert "".join(pieces), "the stream carried no text"
    assert finish_reasons, "no chunk named a finish reason"
    return f"{len(pieces)} pieces of text reassembled, finished with {finish_reasons[-1]}"


def bedrock_chat(case, base_url, calls):
    return partner_chat(bedrock_client(case, base_url), calls, BEDROCK_MODEL)


def bedrock_chat_stream(case, base_url, calls):
    return partner_stream(bedrock_client(case, base_url), calls, BEDROCK_MODEL)


def vertex_chat(case, base_url, calls):
    return partner_chat(vertex_client(case, base_url), calls, VERTEX_MODEL)


def vertex_chat_stream(case, base_url, calls):
    return partner_stream(vertex_client(case, base_url), calls, VERTEX_MODEL)


def azure_chat(case, base_url, calls):
    return partner_chat(azure_client(case, base_url), calls, AZURE_MODEL)


def azure_chat_stream(case, base_url, calls):
    return partner_stream(azure_client(case, base_url, ad_token=True), calls, AZURE_MODEL)


# Cases that take a synchronous client; the async ones and the partner ones build their own.
SYNC_CASES = {
    "j2-every-parameter": j2_every_parameter,
    "j2-custom-model": j2_custom_model,
    "j2-none-optional": j2_none_optional,
    "j2-penalty-model": j2_penalty_model,
    "j2-penalty-camelcase-kwargs": j2_penalty_camelcase_kwargs,
    "chat-every-parameter": chat_every_parameter,
    "chat-messages-all-roles": chat_messages_all_roles,
    "chat-stop": chat_stop,
    "chat-n": chat_n,
    "chat-response-format": chat_response_format,
    "chat-documents": chat_documents,
    "chat-none-optional": chat_none_optional,
    "chat-multi-turn": chat_multi_turn,
    "chat-tool-call-loop": chat_tool_call_loop,
    "chat-stream": chat_stream,
}
ASYNC_CASES = {
    "chat-async": chat_async,
    "chat-async-stream": chat_async_stream,
}
PARTNER_CASES = {
    "bedrock-chat": bedrock_chat,
    "bedrock-chat-stream": bedrock_chat_stream,
    "vertex-chat": vertex_chat,
    "vertex-chat-stream": vertex_chat_stream,
    "azure-chat": azure_chat,
    "azure-chat-stream": azure_chat_stream,
}


def run_case(case, base_url):
    calls = Calls()
    try:
        if case in SYNC_CASES:
            detail = SYNC_CASES[case](client(case, base_url), calls)
        elif case in ASYNC_CASES:
            detail = ASYNC_CASES[case](case, base_url, calls)
        elif case in PARTNER_CASES:
            detail = PARTNER_CASES[case](case, base_url, calls)
        else:
            return {"case": case, "ok": False, "answered": 0, "error": "UnknownCase", "status": None, "details": "no such case"}
        return {"case": case, "ok": True, "answered": calls.count, "detail": detail}
    except Exception as error:  # noqa: BLE001: every failure is reported, none stops the suite
        return {
            "case": case,
            "ok": False,
            "answered": calls.count,
            "error": type(error).__name__,
            "status": getattr(error, "status_code", None),
            "details": getattr(error, "details", None) or str(error) or traceback.format_exc(limit=3),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the mock's root URL, such as http://127.0.0.1:8021")
    parser.add_argument("cases", nargs="+", help="the case ids to run, in order")
    arguments = parser.parse_args()
    print(json.dumps({"sdk": "ai21", "version": ai21.__version__}), flush=True)
    for case in arguments.cases:
        print(json.dumps(run_case(case, arguments.base_url.rstrip("/"))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
