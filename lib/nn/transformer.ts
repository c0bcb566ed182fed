/**
 * The transformer encoder layer with a swappable normalisation, and the
 * classifier the training experiment uses.
 *
 * @module
 */
import { checkTensor } from "../_mask.ts";
import { formatShape } from "../_shape.ts";
import { narrow } from "../ops.ts";
import { Tensor } from "../tensor.ts";
import { childSeed } from "./_init.ts";
import { gelu, relu } from "./activation.ts";
import { dropout } from "./dropout.ts";
import { Embedding } from "./embedding.ts";
import { Linear, linearRelu } from "./linear.ts";
import { Module } from "./module.ts";
import { MultiheadAttention, packedSelfAttention } from "./multihead_attention.ts";
import { BatchNorm, LayerNorm, RMSNorm } from "./norm_layers.ts";
import { type PackedSequences, packingOf } from "./_packed_attention.ts";
import {
  packedDropout,
  packedMeanPool,
  packedPositions,
  packValues,
  unpackRows,
} from "./_packed_forward.ts";

/**
 * Which normalisation a layer uses: `layer` (LayerNorm), `batch` (naive
 * BatchNorm: statistics over every position, padding included), `maskedBatch`
 * (BatchNorm over real positions only), `rms` (RMSNorm) or `none`.
 */
export type NormKind = "layer" | "batch" | "maskedBatch" | "rms" | "none";

/** The norm kinds, in the order the experiments report them. */
export const NORM_KINDS: readonly NormKind[] = ["layer", "batch", "maskedBatch", "rms", "none"];

/** A normalisation layer of any kind. */
export type NormLayer = LayerNorm | RMSNorm | BatchNorm;

/** A norm layer of `kind` over `dModel` features, or null for `none`. */
export function makeNorm(kind: NormKind, dModel: number, operation: string): NormLayer | null {
  switch (kind) {
    case "layer":
      return new LayerNorm(dModel);
    case "batch":
      return new BatchNorm(dModel, { useMask: false });
    case "maskedBatch":
      return new BatchNorm(dModel, { useMask: true });
    case "rms":
      return new RMSNorm(dModel);
    case "none":
      return null;
    default:
      throw new Error(
        `${operation}: expected norm to be one of ${NORM_KINDS.join(", ")} but found ${
          String(kind)
        }`,
      );
  }
}

/**
 * Set by {@linkcode TransformerEncoderLayer}'s static block: a layer on packed
 * rows (1, N, D) with its own dropout seeds (see _packed_forward.ts).
 */
let packedLayer: (
  layer: TransformerEncoderLayer,
  x: Tensor,
  sequences: PackedSequences,
) => Tensor;

/** Options for {@linkcode TransformerEncoderLayer}. */
export interface TransformerEncoderLayerOptions {
  /**
   * The width of the feed-forward block.
   * @default {2048}
   */
  dimFeedforward?: number;
  /**
   * Dropout after attention, inside and after the feed-forward block, and on
   * the attention weights (training mode only), as in PyTorch.
   * @default {0.1}
   */
  dropout?: number;
  /**
   * The feed-forward activation.
   * @default {"relu"}
   */
  activation?: "relu" | "gelu";
  /**
   * Pre-norm (`x + SA(norm1(x))`) instead of post-norm (`norm1(x + SA(x))`).
   * @default {false}
   */
  normFirst?: boolean;
  /**
   * The normalisation.
   * @default {"layer"}
   */
  norm?: NormKind;
  /**
   * The seed of the initial weights and the dropout masks.
   * @default {0}
   */
  seed?: number;
}

/** Options for {@linkcode TransformerEncoderLayer.forward}. */
export interface EncoderForwardOptions {
  /** 1 = real token, 0 = padding, (B, T): hides padded keys; masked BatchNorm also uses it. */
  mask?: Tensor;
}

/**
 * One transformer encoder layer (Vaswani et al. 2017), PyTorch's
 * `nn.TransformerEncoderLayer(batch_first=True)` with a swappable norm:
 *
 * - post-norm: `x = norm1(x + SA(x)); x = norm2(x + FF(x))`
 * - pre-norm:  `x = x + SA(norm1(x)); x = x + FF(norm2(x))`
 *
 * with `FF(x) = linear2(dropout(act(linear1(x))))`, dropout after SA and FF.
 * Every norm receives the mask; only `maskedBatch` uses it (`batch` counts
 * every position, padding included). With `norm: "layer"` the numbers are
 * PyTorch's. State-dict keys: `self_attn.*`, `linear1.*`, `linear2.*`,
 * `norm1.*`, `norm2.*`.
 *
 * Shape: x (B, T, D), mask (B, T) → (B, T, D).
 *
 * @example
 * ```ts
 * import { TransformerEncoderLayer } from "./transformer.ts";
 * import { randn } from "../creation.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, norm: "maskedBatch" });
 * deepStrictEqual(layer.forward(randn([2, 5, 8], { seed: 1 })).shape, [2, 5, 8]);
 * deepStrictEqual(layer.namedParameters().length, 12);
 * ```
 */
export class TransformerEncoderLayer extends Module {
  /** The self-attention block (`self_attn`). */
  selfAttention: MultiheadAttention;
  /** The feed-forward block's first layer, D → dimFeedforward. */
  linear1: Linear;
  /** The feed-forward block's second layer, dimFeedforward → D. */
  linear2: Linear;
  /** The norm around self-attention, or null for `none`. */
  norm1: NormLayer | null;
  /** The norm around the feed-forward block, or null for `none`. */
  norm2: NormLayer | null;
  /** The normalisation kind. */
  readonly norm: NormKind;
  /** Whether the norms come first (pre-norm). */
  readonly normFirst: boolean;
  /** The dropout probability. */
  readonly dropout: number;
  /** The feed-forward activation. */
  readonly activation: "relu" | "gelu";
  readonly #seed: number;
  #dropoutCalls = 0;

  /** An encoder layer of width `dModel` with `numHeads` heads. */
  constructor(dModel: number, numHeads: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const operation = "TransformerEncoderLayer";
    const seed = options.seed ?? 0;
    this.#seed = seed;
    this.norm = options.norm ?? "layer";
    this.normFirst = options.normFirst ?? false;
    this.dropout = options.dropout ?? 0.1;
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new Error(`${operation}: expected dropout in [0, 1] but found ${this.dropout}`);
    }
    this.activation = options.activation ?? "relu";
    if (this.activation !== "relu" && this.activation !== "gelu") {
      throw new Error(
        `${operation}: expected activation "relu" or "gelu" but found ${String(this.activation)}`,
      );
    }
    const width = options.dimFeedforward ?? 2048;
    this.selfAttention = new MultiheadAttention(dModel, numHeads, {
      dropout: this.dropout,
      seed: childSeed(seed, "self_attn"),
    });
    this.linear1 = new Linear(dModel, width, { seed: childSeed(seed, "linear1") });
    this.linear2 = new Linear(width, dModel, { seed: childSeed(seed, "linear2") });
    this.norm1 = makeNorm(this.norm, dModel, operation);
    this.norm2 = makeNorm(this.norm, dModel, operation);
    this.registerModule("self_attn", "selfAttention");
    this.registerModule("linear1");
    this.registerModule("linear2");
    this.registerModule("norm1");
    this.registerModule("norm2");
  }

  /** The layer applied to x (B, T, D); see the class for the formulas. */
  forward(x: Tensor, options: EncoderForwardOptions = {}): Tensor {
    const mask = options.mask;
    return this.#layer(
      x,
      mask,
      (h) => this.selfAttention.forward(h, h, h, { mask }).output,
      (h) => this.#dropout(h),
    );
  }

  /**
   * The layer's formula (post- or pre-norm, see the class) given how to
   * attend and how to drop: the padded batch's forward, and the packed one
   * (_packed_forward.ts), whose rows are all real (no mask).
   */
  #layer(
    x: Tensor,
    mask: Tensor | undefined,
    attend: (h: Tensor) => Tensor,
    drop: (h: Tensor) => Tensor,
  ): Tensor {
    const norm1 = (h: Tensor) => this.norm1 === null ? h : this.norm1.forward(h, { mask });
    const norm2 = (h: Tensor) => this.norm2 === null ? h : this.norm2.forward(h, { mask });
    const selfAttention = (h: Tensor) => drop(attend(h));
    const feedForward = (h: Tensor) => drop(this.linear2.forward(drop(this.#activatedHidden(h))));
    if (this.normFirst) {
      const attended = x.add(selfAttention(norm1(x)));
      return attended.add(feedForward(norm2(attended)));
    }
    const attended = norm1(x.add(selfAttention(x)));
    return norm2(attended.add(feedForward(attended)));
  }

  /** act(linear1(x)); ReLU runs fused into linear1's product (one pass over the hidden values). */
  #activatedHidden(x: Tensor): Tensor {
    if (this.activation === "gelu") return gelu(this.linear1.forward(x));
    // A linear1 whose forward was replaced (a subclass) runs as written.
    if (this.linear1.forward !== Linear.prototype.forward) return relu(this.linear1.forward(x));
    return linearRelu(x, this.linear1.weight, this.linear1.bias);
  }

  static {
    packedLayer = (layer, x, sequences) =>
      layer.#layer(
        x,
        undefined,
        (h) => packedSelfAttention(layer.selfAttention, h, sequences),
        (h) => {
          if (!layer.training || layer.dropout === 0) return h;
          return packedDropout(h, layer.dropout, layer.#nextDropoutSeed(), sequences);
        },
      );
  }

  /** The seed of this layer's next dropout mask (one per dropout in training mode). */
  #nextDropoutSeed(): number {
    return childSeed(this.#seed, `dropout:${this.#dropoutCalls++}`);
  }

  #dropout(x: Tensor): Tensor {
    if (!this.training || this.dropout === 0) return x;
    return dropout(x, {
      p: this.dropout,
      seed: this.#nextDropoutSeed(),
    });
  }
}

/** Options for {@linkcode TransformerClassifier}. */
export interface TransformerClassifierOptions {
  /** The vocabulary size V (id 0 is padding, 1 unknown). */
  vocabSize: number;
  /**
   * The number of classes.
   * @default {2}
   */
  numClasses?: number;
  /**
   * D, the model width.
   * @default {32}
   */
  dModel?: number;
  /**
   * The attention heads per layer.
   * @default {2}
   */
  numHeads?: number;
  /**
   * The encoder layers.
   * @default {2}
   */
  numLayers?: number;
  /**
   * The feed-forward width.
   * @default {128}
   */
  dimFeedforward?: number;
  /**
   * The longest input (the rows of the learned position table).
   * @default {128}
   */
  maxLength?: number;
  /**
   * The normalisation in every layer (and the final norm).
   * @default {"layer"}
   */
  norm?: NormKind;
  /**
   * Pre-norm layers, followed by a final norm.
   * @default {false}
   */
  normFirst?: boolean;
  /**
   * The feed-forward activation.
   * @default {"relu"}
   */
  activation?: "relu" | "gelu";
  /**
   * Dropout probability in the layers.
   * @default {0.1}
   */
  dropout?: number;
  /**
   * The seed of every initial weight and dropout mask.
   * @default {0}
   */
  seed?: number;
}

/** Options for {@linkcode TransformerClassifier.forward}. */
export interface ClassifierForwardOptions {
  /** 1 = real token, 0 = padding, (B, T); defaults to `ids ≠ 0`. */
  mask?: Tensor;
}

/**
 * A sentence classifier: token and learned position embeddings, encoder
 * layers, mean pooling over real tokens and a linear head.
 *
 * `h = embedding(ids) + position.weight[:T]`, the layers,
 * `final_norm(h)` when `normFirst`, `pooled_b = Σ_t mask_bt h_bt / Σ_t mask_bt`,
 * `logits = head(pooled)`. State-dict keys: `embedding.weight` (padding row
 * 0), `position.weight` (maxLength, D), `layers.{i}.*`, `final_norm.*`,
 * `head.weight`, `head.bias`.
 *
 * Padding is skipped where nothing needs it (every norm but naive BatchNorm,
 * no layer replaced or subclassed): the layers run on the real tokens only,
 * attention within each sentence, with the same logits and gradients as on
 * the padded batch and, in training, the same dropout masks.
 *
 * Shape: ids (B, T) integers, mask (B, T) → logits (B, numClasses).
 *
 * @example
 * ```ts
 * import { TransformerClassifier } from "./transformer.ts";
 * import { tensor } from "../tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const model = new TransformerClassifier({ vocabSize: 20, dModel: 8, numHeads: 2, numLayers: 1 });
 * const logits = model.forward(tensor([[5, 6, 7, 0], [8, 9, 0, 0]]));
 * deepStrictEqual(logits.shape, [2, 2]);
 * ```
 */
export class TransformerClassifier extends Module {
  /** The options the model was built with (defaults filled in). */
  readonly config: Required<TransformerClassifierOptions>;
  /** Token embeddings (V, D), padding id 0. */
  embedding: Embedding;
  /** Learned position embeddings (maxLength, D). */
  position: Embedding;
  /** The encoder layers. */
  layers: TransformerEncoderLayer[];
  /** The norm after the last pre-norm layer (`final_norm`), or null. */
  finalNorm: NormLayer | null;
  /** The classification head, D → numClasses. */
  head: Linear;

  /** A classifier with the given sizes (see {@linkcode TransformerClassifierOptions}). */
  constructor(options: TransformerClassifierOptions) {
    super();
    const config: Required<TransformerClassifierOptions> = {
      vocabSize: options.vocabSize,
      numClasses: options.numClasses ?? 2,
      dModel: options.dModel ?? 32,
      numHeads: options.numHeads ?? 2,
      numLayers: options.numLayers ?? 2,
      dimFeedforward: options.dimFeedforward ?? 128,
      maxLength: options.maxLength ?? 128,
      norm: options.norm ?? "layer",
      normFirst: options.normFirst ?? false,
      activation: options.activation ?? "relu",
      dropout: options.dropout ?? 0.1,
      seed: options.seed ?? 0,
    };
    this.config = config;
    const seed = config.seed;
    this.embedding = new Embedding(config.vocabSize, config.dModel, {
      paddingIdx: 0,
      seed: childSeed(seed, "embedding"),
    });
    this.position = new Embedding(config.maxLength, config.dModel, {
      seed: childSeed(seed, "position"),
    });
    this.layers = Array.from(
      { length: config.numLayers },
      (_, i) =>
        new TransformerEncoderLayer(config.dModel, config.numHeads, {
          dimFeedforward: config.dimFeedforward,
          dropout: config.dropout,
          activation: config.activation,
          normFirst: config.normFirst,
          norm: config.norm,
          seed: childSeed(seed, `layers.${i}`),
        }),
    );
    this.finalNorm = config.normFirst
      ? makeNorm(config.norm, config.dModel, "TransformerClassifier")
      : null;
    this.head = new Linear(config.dModel, config.numClasses, { seed: childSeed(seed, "head") });
    this.registerModule("embedding");
    this.registerModule("position");
    this.registerModule("layers");
    this.registerModule("final_norm", "finalNorm");
    this.registerModule("head");
  }

  /** Logits (B, numClasses) for ids (B, T); see the class for the formula. */
  forward(ids: Tensor, options: ClassifierForwardOptions = {}): Tensor {
    const operation = "TransformerClassifier.forward";
    checkTensor(ids, operation, "ids");
    if (ids.ndim !== 2 || ids.shape[1]! > this.config.maxLength || ids.shape[1] === 0) {
      throw new Error(
        `${operation}: expected ids of shape (B, T) with 1 ≤ T ≤ ${this.config.maxLength} (maxLength) but found ${
          formatShape(ids.shape)
        }`,
      );
    }
    const [B, T] = ids.shape as [number, number];
    const mask = options.mask ?? ids.eq(0).neg().add(1);
    if (mask.ndim !== 2 || mask.shape[0] !== B || mask.shape[1] !== T) {
      throw new Error(
        `${operation}: expected mask of shape [${B}, ${T}] but found ${formatShape(mask.shape)}`,
      );
    }
    let h: Tensor;
    const sequences = this.#packing(mask);
    if (sequences !== null) {
      // The real tokens only (see _packed_forward.ts): (1, N, D), then back to (B, T, D).
      h = this.embedding.forward(packValues(ids, sequences))
        .add(this.position.forward(packedPositions(sequences)));
      for (const layer of this.layers) h = packedLayer(layer, h, sequences);
      if (this.finalNorm !== null) h = this.finalNorm.forward(h);
      // The pooling below, on the packed rows (a mask of another dtype promotes h there).
      if (mask.dtype === h.dtype) return this.head.forward(packedMeanPool(h, sequences));
      h = unpackRows(h, sequences);
    } else {
      // h: (B, T, D) = token embeddings + the first T rows of the position table (broadcast)
      h = this.embedding.forward(ids).add(narrow(this.position.weight, 0, 0, T));
      for (const layer of this.layers) h = layer.forward(h, { mask });
      if (this.finalNorm !== null) h = this.finalNorm.forward(h, { mask });
    }
    // Mean over real positions: Σ_t mask·h / Σ_t mask, (B, D).
    const weights = mask.detach().reshape(B, T, 1);
    const counts = mask.detach().sum(1, { keepDims: true }).maximum(1);
    const pooled = h.mul(weights).sum(1).div(counts);
    return this.head.forward(pooled);
  }

  /**
   * The packing of `mask` when the forward pass may skip padding: a mask of 0
   * and 1 with padding, a real token in every row and two in all, no naive
   * BatchNorm, and every layer this class's own (a replaced or
   * subclassed forward runs as written, on the padded batch); else null.
   */
  #packing(mask: Tensor): PackedSequences | null {
    const own = (module: { forward: unknown }, prototype: { forward: unknown }) =>
      module.forward === prototype.forward;
    if (!own(this.embedding, Embedding.prototype) || !own(this.position, Embedding.prototype)) {
      return null;
    }
    if (!packableNorm(this.finalNorm)) return null;
    for (const layer of this.layers) {
      const attention = layer.selfAttention;
      const packable = own(layer, TransformerEncoderLayer.prototype) &&
        own(attention, MultiheadAttention.prototype) &&
        own(attention.outProjection, Linear.prototype) && own(layer.linear1, Linear.prototype) &&
        own(layer.linear2, Linear.prototype) && packableNorm(layer.norm1) &&
        packableNorm(layer.norm2);
      if (!packable) return null;
    }
    // A single real token gains nothing, and BatchNorm's error for it should name (B, T, D).
    const sequences = packingOf(mask);
    const real = sequences?.rows.length ?? 0;
    return sequences !== null && real >= 2 && real < mask.size ? sequences : null;
  }
}

/** Whether `norm` treats each position alone or counts real positions only: packable. */
function packableNorm(norm: NormLayer | null): boolean {
  if (norm === null) return true;
  if (norm instanceof BatchNorm) {
    return norm.useMask && norm.forward === BatchNorm.prototype.forward;
  }
  return norm.forward === (norm instanceof LayerNorm ? LayerNorm : RMSNorm).prototype.forward;
}
