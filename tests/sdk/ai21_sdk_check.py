"""The official AI21 Python SDK (2.x) against a mock AI21 API.

Runs a J2 completion, a chat completion and a streamed chat completion through
an unchanged `AI21Client`, and checks that each answer parsed into the SDK's
models. The mock's base URL comes from AI21_MOCK_URL, the key from
AI21_API_KEY. Prints one line per check; exits non-zero on the first failure.
"""

import os
import sys

from ai21 import AI21Client
from ai21.models.chat import ChatMessage


def main() -> int:
    # The SDK appends /studio/v1 only to *.ai21.com hosts; elsewhere the URL is used as given.
    client = AI21Client(
        api_key=os.environ["AI21_API_KEY"],
        api_host=os.environ["AI21_MOCK_URL"] + "/studio/v1",
        num_retries=0,
    )

    completion = client.completion.create(
        model="j2-ultra", prompt="These are a few of my favorite", max_tokens=16, num_results=2
    )
    assert len(completion.completions) == 2, completion
    assert completion.prompt.text == "These are a few of my favorite", completion.prompt
    reasons = [item.finish_reason.reason for item in completion.completions]
    print(f"j2 completion: {len(completion.completions)} completions, finish reasons {reasons}")

    messages = [ChatMessage(role="user", content="Tell me something I don't know")]
    chat = client.chat.completions.create(model="jamba-mini", messages=messages, max_tokens=64)
    assert chat.choices[0].message.content, chat
    assert chat.usage.total_tokens == chat.usage.prompt_tokens + chat.usage.completion_tokens, chat.usage
    print(f"chat completion: {chat.choices[0].finish_reason}, {chat.usage.completion_tokens} tokens")

    stream = client.chat.completions.create(model="jamba-mini", messages=messages, max_tokens=64, stream=True)
    pieces = []
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
    text = "".join(pieces)
    assert text, "the stream carried no text"
    print(f"streamed chat completion: {len(pieces)} chunks with text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
