"""One training epoch of deno task train's default model in PyTorch (1 thread), on the exact
batches of bench/epoch_shapes.json: forward, cross-entropy, backward, clip_grad_norm_(1), Adam.
Prints the seconds of the epoch (median of 3). The model is tests/fixtures/generate_modules.py's
Classifier with LayerNorm, d 32, 2 heads, 2 layers, feed-forward 128, and the dropout given as the
first argument (default 0; deno task train trains with 0.1)."""
import json, os, statistics, sys, time
import torch
import torch.nn.functional as F
torch.set_num_threads(1)
dropout = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
sys.argv = sys.argv[:1]
here = os.path.dirname(os.path.abspath(__file__))
source = open(os.path.join(here, "..", "tests", "fixtures", "generate_modules.py")).read()
source = source[:source.index('out = {"encoderLayers"')]  # the classes only
exec(compile(source, "generate_modules.py", "exec"))
data = json.load(open(os.path.join(here, "epoch_shapes.json")))
steps = [(torch.tensor(s["ids"], dtype=torch.long), torch.tensor(s["labels"])) for s in data["steps"]]
model = Classifier(vocab=data["vocabulary"], classes=2, d=32, heads=2, layers=2, ff=128,
                   max_length=128, norm="layer", norm_first=False, dropout=dropout)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
times = []
for _ in range(3):
    start = time.perf_counter()
    for ids, labels in steps:
        loss = F.cross_entropy(model(ids), labels)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    times.append(time.perf_counter() - start)
print(json.dumps({"dropout": dropout, "steps": len(steps), "secondsPerEpoch": statistics.median(times), "runs": times}))
