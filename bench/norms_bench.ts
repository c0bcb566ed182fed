import { batchNorm, batchNormBackward, layerNorm, layerNormBackward, rmsNorm } from "../mod.ts";
import { largeInputs, S, S_DY, S_MASK } from "./_data.ts";

Deno.bench("layerNorm S", { group: "norm S", baseline: true }, () => {
  layerNorm(S);
});
Deno.bench("rmsNorm S", { group: "norm S" }, () => {
  rmsNorm(S);
});
Deno.bench("batchNorm S", { group: "norm S" }, () => {
  batchNorm(S);
});
Deno.bench("batchNorm S masked", { group: "norm S" }, () => {
  batchNorm(S, { mask: S_MASK });
});
Deno.bench("layerNormBackward S", { group: "norm S" }, () => {
  layerNormBackward(S, S_DY);
});
Deno.bench("batchNormBackward S", { group: "norm S" }, () => {
  batchNormBackward(S, S_DY);
});

Deno.bench("layerNorm L", { group: "norm L", baseline: true, n: 10 }, () => {
  layerNorm(largeInputs().x);
});
Deno.bench("rmsNorm L", { group: "norm L", n: 10 }, () => {
  rmsNorm(largeInputs().x);
});
Deno.bench("batchNorm L", { group: "norm L", n: 10 }, () => {
  batchNorm(largeInputs().x);
});
Deno.bench("batchNorm L masked", { group: "norm L", n: 10 }, () => {
  const { x, mask } = largeInputs();
  batchNorm(x, { mask });
});
Deno.bench("layerNormBackward L", { group: "norm L", n: 10 }, () => {
  const { x, dy } = largeInputs();
  layerNormBackward(x, dy);
});
Deno.bench("batchNormBackward L", { group: "norm L", n: 10 }, () => {
  const { x, dy } = largeInputs();
  batchNormBackward(x, dy);
});
