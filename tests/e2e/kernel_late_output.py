"""Measures when Deno's Jupyter kernel publishes a cell's outputs relative to its `idle` status.

Evidence for docs/kernel-late-output.md. Starts the Deno kernel in notebooks/, imports normlab,
then sends ROUNDS x len(STYLES) execute requests back to back, as a front end's "Run All" does
(all requests queued at once), and reads every IOPub message. For each request it records
whether its chart/table output arrived before or after the request's `status: idle`, and
whether an output that belongs to one request (each output names its request in its title)
was labelled with another request's parent header.

    /usr/bin/python3 tests/e2e/kernel_late_output.py [ROUNDS] > out/kernel-late-output.json
"""
import json
import os
import re
import sys
import time
from queue import Empty

from jupyter_client.manager import start_new_kernel

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
# Optional second argument: a regular expression; only the styles it matches run.
ONLY = re.compile(sys.argv[2] if len(sys.argv) > 2 else "")
TAG = re.compile(r"request-(\d+)\b")
NOTEBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "notebooks")

TICK = "await new Promise((resolve) => setTimeout(resolve, {ms}));"

# (Formatted twice: with x here, then with v/t/p in code_for, hence the quadruple braces.)
OP = ("await Deno[Deno.internal].core.ops.op_jupyter_broadcast(\"display_data\", "
      "{{{{ data: await Deno.jupyter.format({x}), metadata: {{{{}}}}, transient: {{{{}}}} }}}}, "
      "{{{{}}}}, []);")

# How each style shows a value; {v} is the value's expression.
STYLES = {
    "figure, last expression": "{v}",
    "figure, awaited Deno.jupyter.display": "await Deno.jupyter.display({v});",
    "table, last expression": "{t}",
    "table, awaited Deno.jupyter.display": "await Deno.jupyter.display({t});",
    "1.7 MB bundle, last expression": "{p}",
    "1.7 MB bundle, awaited Deno.jupyter.display": "await Deno.jupyter.display({p});",
    # Deno.jupyter.broadcast does not return the op's promise, so `await display()` does not
    # wait for the message to be sent: give the event loop a turn after it.
    "figure, display then setTimeout 0": "await Deno.jupyter.display({v}); " + TICK.format(ms=0),
    "figure, display then setTimeout 20 ms": "await Deno.jupyter.display({v}); " + TICK.format(ms=20),
    "figure, display then setTimeout 50 ms": "await Deno.jupyter.display({v}); " + TICK.format(ms=50),
    "1.7 MB bundle, display then setTimeout 0": "await Deno.jupyter.display({p}); " + TICK.format(ms=0),
    "1.7 MB bundle, display then setTimeout 20 ms": "await Deno.jupyter.display({p}); "
    + TICK.format(ms=20),
    "1.7 MB bundle, display then setTimeout 50 ms": "await Deno.jupyter.display({p}); "
    + TICK.format(ms=50),
    "1.7 MB bundle, display then setTimeout 200 ms": "await Deno.jupyter.display({p}); "
    + TICK.format(ms=200),
    "1.7 MB bundle, display then setTimeout 500 ms": "await Deno.jupyter.display({p}); "
    + TICK.format(ms=500),
    "table, display then setTimeout 0": "await Deno.jupyter.display({t}); " + TICK.format(ms=0),
    "table, display then setTimeout 50 ms": "await Deno.jupyter.display({t}); " + TICK.format(ms=50),
    # normlab's show(): display inside the cell, then wait 50 ms + 1 ms per 4 kB of output.
    "figure, await show(), 50 ms + 1 ms per 4 kB": "await show({v});",
    "table, await show(), 50 ms + 1 ms per 4 kB": "await show({t});",
    "1.7 MB bundle, await show(), 50 ms + 1 ms per 4 kB": "await show({p});",
    # The op that display() starts but does not wait for, called and awaited directly.
    "figure, awaited op_jupyter_broadcast": OP.format(x="{v}"),
    "1.7 MB bundle, awaited op_jupyter_broadcast": OP.format(x="{p}"),
    "table, awaited op_jupyter_broadcast": OP.format(x="{t}"),
}


def code_for(style, tag):
    figure = f'barChart([{{ name: "m", values: [1, 2] }}], {{ title: "{tag}" }})'
    table = f'displayTable([{{ a: 1 }}], {{ title: "{tag}" }})'
    # loadPlotly() always carries plotly.js: the size of a session's first chart output.
    show = 'Symbol.for("Jupyter.display")'
    bundle = f'({{ [{show}]: () => ({{ ...loadPlotly()[{show}](), "text/plain": "{tag}" }}) }})'
    return STYLES[style].format(v=figure, t=table, p=bundle)


def main():
    km, kc = start_new_kernel(kernel_name="deno", cwd=NOTEBOOKS)
    try:
        kc.execute_interactive(
            'import { barChart, displayTable, loadPlotly, show } from "../mod.ts";', timeout=120
        )
        requests = []  # (msg_id, style, tag)
        for round_index in range(ROUNDS):
            for style in filter(ONLY.search, STYLES):
                tag = f"request-{len(requests)}"
                msg_id = kc.execute(code_for(style, tag), store_history=False)
                requests.append((msg_id, style, tag))
        by_id = {msg_id: (style, tag) for msg_id, style, tag in requests}
        idle_seen = set()
        records = {msg_id: {"style": style, "outputs": 0, "late": 0, "mislabelled": 0,
                            "idle": False} for msg_id, style, _ in requests}
        mislabelled_examples = []
        deadline = time.time() + 60 + ROUNDS * 4
        last_message = time.time()
        while time.time() < deadline:
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except Empty:
                if len(idle_seen) == len(requests) and time.time() - last_message > 3:
                    break
                continue
            last_message = time.time()
            parent = msg["parent_header"].get("msg_id")
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                if parent in records:
                    records[parent]["idle"] = True
                    idle_seen.add(parent)
                continue
            if kind not in ("execute_result", "display_data"):
                continue
            match = TAG.search(str(msg["content"]["data"].get("text/plain", "")))
            if match is None:
                continue
            owner = requests[int(match.group(1))][0]
            record = records[owner]
            record["outputs"] += 1
            if parent in idle_seen and parent == owner:
                record["late"] += 1
            if parent != owner:
                record["mislabelled"] += 1
                if len(mislabelled_examples) < 5:
                    mislabelled_examples.append({
                        "output_of": by_id[owner][1], "style": by_id[owner][0], "kind": kind,
                        "labelled_with": by_id.get(parent, ("?", parent))[1],
                    })
        summary = {}
        for record in records.values():
            row = summary.setdefault(record["style"], {
                "requests": 0, "output before idle": 0, "output after idle": 0,
                "labelled with another request": 0, "no output": 0,
            })
            row["requests"] += 1
            if record["outputs"] == 0:
                row["no output"] += 1
            elif record["mislabelled"]:
                row["labelled with another request"] += 1
            elif record["late"]:
                row["output after idle"] += 1
            else:
                row["output before idle"] += 1
        sources = {}
        for name in ("display", "broadcast"):
            def keep(msg, name=name):
                if msg["msg_type"] == "execute_result":
                    sources[name] = msg["content"]["data"]["text/plain"]
            kc.execute_interactive(f"Deno.jupyter.{name}.toString()", timeout=60,
                                   output_hook=keep)
        print(json.dumps({
            "rounds": ROUNDS,
            "kernel": km.kernel_name,
            "summary": summary,
            "mislabelled examples": mislabelled_examples,
            "kernel source of Deno.jupyter.display and .broadcast": sources,
        }, indent=2))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
