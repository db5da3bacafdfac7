#!/usr/bin/env python3
"""A stand-in for the Rust ``tunekit-bench`` driver: random search speaking PROTOCOL.md.

It exists to test compare.py's side of the protocol end to end before the real driver
exists, and doubles as a reference implementation of the driver's side. Standard library
only. It ignores ``"sampler"`` (always random search) and says so on stderr.

    TUNEKIT_DRIVER="python3 bench/fake_driver.py" bench/.venv/bin/python bench/compare.py --quick

Test hooks (environment variables, used by test_problems.py):
    FAKE_DRIVER_BAD_PARAMS=1   send an out-of-range value on trial 1
    FAKE_DRIVER_CRASH_AT=N     exit with code 3 instead of sending trial N
"""

import json
import math
import os
import random
import sys
import time

GRID_TOLERANCE = 1e-9


def same_value(a, b):
    return type(a) is type(b) and a == b


def grid_count(low, high, step):
    n = (high - low) / step
    return int(math.floor(n + GRID_TOLERANCE * max(n, 1.0))) + 1


def sample(space, rng):
    """Sample every active param in space order; inactive ones are left out."""
    params = {}
    for p in space:
        cond = p.get("condition")
        if cond is not None:
            parent = cond["parent"]
            if parent not in params or not any(same_value(params[parent], v)
                                               for v in cond["values"]):
                continue
        kind, low, high = p["type"], p.get("low"), p.get("high")
        step, log = p.get("step"), p.get("log", False)
        if kind == "categorical":
            value = rng.choice(p["choices"])
        elif kind == "int" and log:
            # Same rule as Optuna: uniform in log space over [low-0.5, high+0.5], rounded.
            u = math.exp(rng.uniform(math.log(low - 0.5), math.log(high + 0.5)))
            value = min(max(int(round(u)), low), high)
        elif kind == "int":
            value = low + rng.randrange(grid_count(low, high, step or 1)) * (step or 1)
        elif step is not None:
            value = min(low + rng.randrange(grid_count(low, high, step)) * step, high)
        elif log:
            value = min(max(math.exp(rng.uniform(math.log(low), math.log(high))), low), high)
        else:
            value = rng.uniform(low, high)
        params[p["name"]] = value
    return params


def send(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()  # the reader waits for each line: never leave one buffered


def recv():
    line = sys.stdin.readline()
    if not line:  # the benchmark went away: stop quietly
        sys.exit(0)
    return json.loads(line)


def main():
    config = recv()
    if config.get("protocol", 1) != 1:
        send({"fatal": f"unsupported protocol {config.get('protocol')!r}"})
        return 2
    if config.get("direction") != "minimize":
        send({"fatal": "this driver only minimizes"})
        return 2
    if config.get("sampler") != "random":
        print(f"fake_driver: sampler {config.get('sampler')!r} requested, doing random search",
              file=sys.stderr)
    rng = random.Random(config["seed"])
    space, budget = config["space"], config["budget"]
    crash_at = int(os.environ.get("FAKE_DRIVER_CRASH_AT", "-1"))
    best = None
    for n in range(budget):
        if n == crash_at:
            print("fake_driver: crashing on purpose", file=sys.stderr)
            return 3
        t0 = time.perf_counter()
        params = sample(space, rng)
        ask_ms = (time.perf_counter() - t0) * 1e3
        if n == 1 and os.environ.get("FAKE_DRIVER_BAD_PARAMS"):
            first = space[0]
            params[first["name"]] = (first["high"] + 1) if "high" in first else "bogus"
        send({"trial": n, "params": params, "ask_ms": ask_ms})
        reply = recv()
        if "value" in reply:
            if best is None or reply["value"] < best["value"]:
                best = {"trial": n, "value": reply["value"], "params": params}
        elif "error" not in reply:
            send({"fatal": f"expected 'value' or 'error', got {reply!r}"})
            return 2
    send({"done": True, "best": best})
    return 0


if __name__ == "__main__":
    sys.exit(main())
