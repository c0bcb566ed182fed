/**
 * The gradients that the normalisation layers' backward passes return.
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";

/** The gradients of a normalisation layer's loss with respect to its input and parameters. */
export interface NormGradients {
  /** ∂L/∂x, with the shape of x. */
  dx: Tensor;
  /** ∂L/∂γ, with the shape of γ (computed even when no γ was given, i.e. at γ = 1). */
  dWeight: Tensor;
  /** ∂L/∂β, with the shape of β. */
  dBias: Tensor;
}
