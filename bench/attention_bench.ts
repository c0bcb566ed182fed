import { scaledDotProductAttention } from "../mod.ts";
import { LP_K, LP_MASK, LP_Q, LP_V, M_A, M_B, S, S_MASK } from "./_data.ts";

Deno.bench("attention S masked", { group: "attention S", baseline: true }, () => {
  scaledDotProductAttention(S, S, S, { mask: S_MASK });
});
Deno.bench("softmax S", { group: "attention S" }, () => {
  S.softmax();
});
Deno.bench("matmul M", { group: "matmul M", n: 20 }, () => {
  M_A.matmul(M_B);
});
Deno.bench("attention L' masked", { group: "attention L'", n: 5 }, () => {
  scaledDotProductAttention(LP_Q, LP_K, LP_V, { mask: LP_MASK });
});
const scores = LP_Q.matmul(LP_K.transpose()); // (8, 512, 512)
Deno.bench("softmax L' scores (8, 512, 512)", { group: "attention L'", n: 5 }, () => {
  scores.softmax();
});
