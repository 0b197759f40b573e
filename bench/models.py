"""Speed of the embedded model (SmolLM2-135M through the managed llama.cpp server) on this machine.

Run: ``.venv/bin/python bench/models.py``. Prints prompt-evaluation and generation tokens/s, the
time of a typical panel turn (~1.5k prompt tokens, up to 200 out), and what a shared prompt
prefix saves (llama.cpp reuses the cached prefix of the previous request).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autogen_core.models import SystemMessage, UserMessage  # noqa: E402

from agents.model_settings import ModelEndpoint, ModelSettings  # noqa: E402
from agents.runtime.models import ModelFactory  # noqa: E402

CORPUS = (ROOT / "corpus" / "documents" / "001_89b7e46f1cb73dbb.txt").read_text()
WORDS = CORPUS.split()


def filler(tokens: int, seed: int) -> str:
    """Roughly ``tokens`` tokens of real corpus text, starting at a seed-dependent place."""
    rng = random.Random(seed)
    start = rng.randrange(0, len(WORDS) - 1)
    words = [WORDS[(start + i) % len(WORDS)] for i in range(int(tokens * 0.72))]
    return f"[{seed}] " + " ".join(words)


async def timed(client, messages, max_tokens: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = await client.create(messages, extra_create_args={"max_tokens": max_tokens})
    return time.perf_counter() - started, result.usage.prompt_tokens, result.usage.completion_tokens


async def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        factory = ModelFactory(
            ModelSettings(default=ModelEndpoint(max_tokens=200, temperature=0.7)), Path(data_dir)
        )
        started = time.perf_counter()
        client = factory.client_for("bench")
        await timed(client, [UserMessage(content="Hello", source="u")], 4)
        print(f"server start + first call: {time.perf_counter() - started:.1f} s")

        evals = []
        for seed in range(3):  # a fresh prompt each time: no cached prefix
            seconds, prompt, _ = await timed(
                client, [UserMessage(content=filler(1500, seed), source="u")], 1
            )
            evals.append(prompt / seconds)
        print(f"prompt evaluation: {statistics.median(evals):,.0f} tokens/s (1.5k-token prompts)")

        gens = []
        for seed in range(3):
            short = [
                UserMessage(
                    content=f"[{seed}] Write a long essay about NHS workforce planning.", source="u"
                )
            ]
            seconds, _, completion = await timed(client, short, 200)
            gens.append(completion / seconds)
        print(f"generation: {statistics.median(gens):,.0f} tokens/s (short prompt, up to 200 out)")

        turns = []
        for seed in range(10, 13):
            messages = [
                SystemMessage(content=filler(1300, seed)),
                UserMessage(
                    content=filler(200, seed + 100) + "\nSummarise the evidence above.", source="u"
                ),
            ]
            seconds, prompt, completion = await timed(client, messages, 200)
            turns.append((seconds, prompt, completion))
        seconds, prompt, completion = sorted(turns)[1]
        print(
            f"typical panel turn: {seconds:.1f} s ({prompt} prompt + {completion} completion tokens)"
        )

        prefix = filler(1200, 99)
        cold, _, _ = await timed(
            client,
            [SystemMessage(content=prefix), UserMessage(content="First: one line.", source="u")],
            1,
        )
        warm, _, _ = await timed(
            client,
            [
                SystemMessage(content=prefix),
                UserMessage(content="Second: another line.", source="u"),
            ],
            1,
        )
        print(
            f"shared 1.2k-token prefix: first call {cold:.2f} s, next call with the same prefix {warm:.2f} s "
            f"({cold / max(warm, 1e-6):.0f}x faster)"
        )
        await factory.close()


if __name__ == "__main__":
    asyncio.run(main())
