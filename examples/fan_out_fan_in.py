"""Fan-out/fan-in: start many activities at once, then wait for all of them and combine the results.

The orchestrator asks one activity for the list of documents, schedules a word count for every
document without waiting (fan-out), then yields ``task.when_all`` over those tasks (fan-in). The
results come back in the order the tasks were given, whatever order they finished in. On a
sidecar with several worker processes, the counts run in parallel across them.

Run it on the embedded in-memory backend, or against a sidecar::

    python examples/fan_out_fan_in.py
    python examples/fan_out_fan_in.py --sidecar localhost:4001
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import Any

from _backend_choice import example_parser, open_backend

from durabletask import client, task

# Stands in for a document store; the activities are the only code that touches it, because
# orchestrators must not do I/O (they are replayed many times).
DOCUMENTS = {
    "intro.txt": "Durable orchestrations are ordinary generator functions",
    "replay.txt": "History is replayed to rebuild state",
    "timers.txt": "Timers survive restarts",
    "events.txt": "External events wake a waiting orchestration",
    "scale.txt": "Add workers to scale out",
}


def list_documents(ctx: task.ActivityContext, _: None) -> list[str]:
    return sorted(DOCUMENTS)


def count_words(ctx: task.ActivityContext, name: str) -> int:
    return len(DOCUMENTS[name].split())


def count_all_words(ctx: task.OrchestrationContext, _: None) -> Generator[task.Task[Any], Any, dict[str, Any]]:
    names: list[str] = yield ctx.call_activity(list_documents)

    # Fan out: every call is scheduled before any of them is awaited.
    counts_tasks = [ctx.call_activity(count_words, input=name) for name in names]
    # Fan in: resumes once every count has arrived; the list follows the order of `counts_tasks`.
    counts: list[int] = yield task.when_all(counts_tasks)

    return {"per_document": dict(zip(names, counts, strict=True)), "total": sum(counts)}


def main() -> None:
    args = example_parser(__doc__).parse_args()
    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(count_all_words)
        w.add_activity(list_documents)
        w.add_activity(count_words)
        w.start()

        c = backend.client()
        instance_id = c.schedule_new_orchestration(count_all_words)
        state = c.wait_for_orchestration_completion(instance_id, timeout=30)

    if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
        sys.exit(f"The orchestration did not complete: {state}")
    output = state.get_output()
    for name, count in output.per_document.items():
        print(f"{name}: {count} words")
    print(f"Total: {output.total} words in {len(output.per_document)} documents")

    expected_total = sum(len(text.split()) for text in DOCUMENTS.values())
    if output.total != expected_total or len(output.per_document) != len(DOCUMENTS):
        sys.exit(f"Expected {expected_total} words in {len(DOCUMENTS)} documents")


if __name__ == "__main__":
    main()
