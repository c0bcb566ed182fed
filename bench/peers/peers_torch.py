"""PyTorch's side of `deno task bench:peers`: single-thread medians, as JSON on stdout.

Called by bench/peers.ts with the same shapes; run it alone with
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers_torch.py
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def median_ms(fn, samples, per_sample=1):
    for _ in range(2):
        fn()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(per_sample):
            fn()
        times.append((time.perf_counter() - start) / per_sample)
    times.sort()
    return times[len(times) // 2] * 1000


def lengths_mask(batch, positions, length):
    mask = torch.zeros(batch, positions)
    for b in range(batch):
        mask[b, : length(b)] = 1
    return mask


def attention(q, k, v, mask):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill((mask == 0).unsqueeze(1), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def masked_batch_norm(x, real):
    rows = x.reshape(-1, x.shape[-1])
    out = torch.zeros_like(rows)
    out[real] = F.batch_norm(rows[real], None, None, training=True)
    return out


results = {}
S = torch.randn(2, 4, 3)
S_MASK = torch.tensor([[1.0, 1, 0, 0], [1, 1, 1, 1]])
S_REAL = S_MASK.reshape(-1).bool()
n = 2000
results["layerNorm S"] = median_ms(lambda: F.layer_norm(S, (3,)), 15, n)
results["rmsNorm S"] = median_ms(lambda: S * torch.rsqrt(S.pow(2).mean(-1, keepdim=True) + 1e-6), 15, n)
results["batchNorm S"] = median_ms(lambda: F.batch_norm(S.reshape(-1, 3), None, None, training=True), 15, n)
results["batchNorm S masked"] = median_ms(lambda: masked_batch_norm(S, S_REAL), 15, n)
results["attention S masked"] = median_ms(lambda: attention(S, S, S, S_MASK), 15, n)
results["softmax S"] = median_ms(lambda: torch.softmax(S, -1), 15, n)

L = torch.randn(32, 512, 768)
L_DY = torch.randn(32, 512, 768)
L_MASK = lengths_mask(32, 512, lambda b: 128 + 12 * b)
L_REAL = L_MASK.reshape(-1).bool()
results["layerNorm L"] = median_ms(lambda: F.layer_norm(L, (768,)), 7)
results["rmsNorm L"] = median_ms(lambda: L * torch.rsqrt(L.pow(2).mean(-1, keepdim=True) + 1e-6), 7)
results["batchNorm L"] = median_ms(lambda: F.batch_norm(L.reshape(-1, 768), None, None, training=True), 7)
results["batchNorm L masked"] = median_ms(lambda: masked_batch_norm(L, L_REAL), 7)
xg = L.clone().requires_grad_(True)
y = F.layer_norm(xg, (768,))
results["layerNormBackward L"] = median_ms(lambda: torch.autograd.grad(y, xg, L_DY, retain_graph=True), 5)
yb = F.batch_norm(xg.reshape(-1, 768), None, None, training=True)
results["batchNormBackward L"] = median_ms(
    lambda: torch.autograd.grad(yb, xg, L_DY.reshape(-1, 768), retain_graph=True), 5
)

MA = torch.randn(32, 128, 64)
MB = torch.randn(32, 64, 128)
results["matmul M"] = median_ms(lambda: torch.bmm(MA, MB), 15)
Q, K, V = torch.randn(8, 512, 64), torch.randn(8, 512, 64), torch.randn(8, 512, 64)
LP_MASK = lengths_mask(8, 512, lambda b: 256 + 32 * b)
results["attention L' masked"] = median_ms(lambda: attention(Q, K, V, LP_MASK), 5)
SCORES = Q @ K.transpose(-2, -1)
results["softmax L'"] = median_ms(lambda: torch.softmax(SCORES, -1), 5)

json.dump({"version": torch.__version__, "medians_ms": results}, sys.stdout)
