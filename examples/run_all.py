"""Run every example as a separate process and report which ones passed.

Each example checks its own result and exits non-zero when it is wrong, so this is a quick end-to-end
check of the SDK. Examples are the ``*.py`` files next to this script, except this one and the
``_``-prefixed helpers; pass names to run only some.

    python examples/run_all.py                                # on the in-memory backend
    python examples/run_all.py --sidecar localhost:4001       # against a running sidecar
    python examples/run_all.py retries human_interaction -v   # some of them, showing their output

``hatch run examples [options]`` runs this script.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    """The example names (file stems), in alphabetical order."""
    return sorted(
        path.stem for path in EXAMPLES_DIR.glob("*.py") if not path.name.startswith("_") and path.name != "run_all.py"
    )


@dataclass
class Outcome:
    name: str
    passed: bool
    seconds: float
    output: str


def run_example(name: str, sidecar: str | None, timeout: float) -> Outcome:
    command = [sys.executable, str(EXAMPLES_DIR / f"{name}.py")]
    if sidecar:
        command += ["--sidecar", sidecar]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=EXAMPLES_DIR.parent, check=False
        )
    except subprocess.TimeoutExpired as expired:
        output = _text(expired.stdout) + _text(expired.stderr)
        return Outcome(name, False, time.monotonic() - started, f"{output}\n(killed after {timeout:g} s)")
    output = completed.stdout + completed.stderr
    return Outcome(name, completed.returncode == 0, time.monotonic() - started, output)


def _text(data: str | bytes | None) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data or ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME", help="examples to run (default: all)")
    parser.add_argument("--sidecar", metavar="HOST:PORT", help="run them against the sidecar at this address")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before an example counts as hung")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every example's output")
    args = parser.parse_args()

    available = discover()
    unknown = sorted(set(args.names) - set(available))
    if unknown:
        parser.error(f"unknown example(s) {', '.join(unknown)}; available: {', '.join(available)}")
    names = args.names or available

    where = f"the sidecar at {args.sidecar}" if args.sidecar else "the in-memory backend"
    print(f"Running {len(names)} examples on {where}\n")
    outcomes = []
    for name in names:
        outcome = run_example(name, args.sidecar, args.timeout)
        outcomes.append(outcome)
        print(f"{'PASS' if outcome.passed else 'FAIL'}  {name:<28} {outcome.seconds:6.2f} s")
        # A failure's output is always shown: it is where the example says what went wrong.
        if args.verbose or not outcome.passed:
            print("".join(f"      | {line}\n" for line in outcome.output.splitlines()))

    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    total = sum(outcome.seconds for outcome in outcomes)
    print(f"\n{len(outcomes) - len(failed)} passed, {len(failed)} failed in {total:.2f} s")
    if failed:
        print(f"Failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
