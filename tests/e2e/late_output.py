"""An nbconvert ExecutePreprocessor that keeps cell outputs Deno's kernel publishes late.

Deno's Jupyter kernel (seen with Deno 2.9.6) sometimes publishes a cell's
`execute_result` just *after* the `status: idle` that ends the cell. nbclient
stops reading a cell's messages at `idle`, so such an output is silently lost
(a few cells in twenty, at random). This preprocessor, used instead of
`--execute`, keeps reading that cell's messages for a short grace period after
`idle` when the cell has not produced an `execute_result` yet — unless the cell ends by
displaying with normlab's `await show(...)`, which publishes before `idle` (see
docs/kernel-late-output.md) and leaves no last value to wait for.

    PYTHONPATH=tests/e2e jupyter nbconvert --to notebook \
        --Exporter.preprocessors='["late_output.LateOutputExecutePreprocessor"]' X.ipynb
"""
from queue import Empty

from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float


def ends_with_show_call(source):
    """Whether the cell's last statement is `await show(...)` (a call that leaves no value)."""
    lines = [line for line in source.rstrip().split("\n") if line.strip()]
    statement = []
    for line in reversed(lines):
        statement.insert(0, line)
        if not line[:1].isspace() and not line.startswith((")", "}", "]")):
            break
    text = "\n".join(statement)
    return text.startswith("await show(") and text.rstrip().endswith(";")


class LateOutputExecutePreprocessor(ExecutePreprocessor):
    """ExecutePreprocessor that waits `late_output_grace` seconds for a result published after idle."""

    late_output_grace = Float(1.0, help="Seconds to wait after idle for a late execute_result.").tag(
        config=True
    )

    def __init__(self, **kw):
        super().__init__(**kw)
        self.enabled = True
        self.record_timing = False

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        idle = False
        ends_with_show = ends_with_show_call(cell.source)
        while True:
            has_result = any(o.get("output_type") == "execute_result" for o in cell.outputs)
            if idle and (has_result or ends_with_show):
                return
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=self.late_output_grace if idle else None)
                )
            except Empty:
                return  # idle, and nothing more came: the cell had no result
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                idle = True
