"""PyTorch's side of the training-step benchmark (bench/step.ts), one thread.

A server: the first line of stdin is JSON {"sizes": [...], "batches": {...}} (the shapes and
ids of bench/_step_case.ts); each following line "NAME COUNT" runs COUNT training steps of that
case and answers with the milliseconds per step. So normlab's and PyTorch's samples alternate in
one run. The model is tests/fixtures/generate_modules.py's Classifier (LayerNorm, post-norm,
ReLU, dropout off); a step is forward, cross-entropy, zero_grad, backward, Adam.
"""
import json, os, sys, time
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
here = os.path.dirname(os.path.abspath(__file__))
source = open(os.path.join(here, "..", "tests", "fixtures", "generate_modules.py")).read()
source = source[:source.index('out = {"encoderLayers"')]  # the classes only
saved_argv, sys.argv = sys.argv, sys.argv[:1]
exec(compile(source, "generate_modules.py", "exec"))
sys.argv = saved_argv

config = json.loads(sys.stdin.readline())
cases = {}
for size in config["sizes"]:
    model = Classifier(vocab=size["vocab"], classes=2, d=size["dModel"], heads=size["heads"],
                       layers=size["layers"], ff=size["ff"], max_length=size["T"], norm="layer",
                       norm_first=False)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = config["batches"][size["name"]]
    ids = torch.tensor(batch["ids"], dtype=torch.long)
    labels = torch.tensor(batch["labels"], dtype=torch.long)

    def step(model=model, optimizer=optimizer, ids=ids, labels=labels):
        loss = F.cross_entropy(model(ids), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    cases[size["name"]] = step

print(json.dumps({"ready": True, "version": torch.__version__}), flush=True)
for line in sys.stdin:
    name, count = line.split()
    start = time.perf_counter()
    for _ in range(int(count)):
        cases[name]()
    print(json.dumps({"ms": (time.perf_counter() - start) * 1000 / int(count)}), flush=True)
