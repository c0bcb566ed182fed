/**
 * Drives every slider chart on a page as a learner and as a script would:
 * `Plotly.animate` to the last and to the first step, then a mouse drag of
 * the slider's grip to the end of its rail; after each, the values Plotly
 * drew (its calcdata) must equal that frame's, and the slider's label must be
 * that step's.
 */
import type { Browser } from "./browser.ts";

/** What one slider chart did. */
export interface SliderCheck {
  /** The chart's element id. */
  id: string;
  /** Its animation frames. */
  frames: number;
  /** Whether Plotly drew the slider (its `.slider-container` and grip). */
  sliderDrawn: boolean;
  /** Whether the play/pause buttons were drawn. */
  buttonsDrawn: boolean;
  /** After `Plotly.animate` to the last frame: drawn values ≠ the frame's, as messages (empty = all equal). */
  animatedLast: string[];
  /** After `Plotly.animate` to the first frame. */
  animatedFirst: string[];
  /** Whether any animated trace's drawn values differ between the first and last frames. */
  moved: boolean;
  /** After dragging the grip with the mouse to the rail's end: mismatches, as above. */
  draggedLast: string[];
  /** The slider's active step after the drag. */
  activeAfterDrag: number;
  /** The label shown above the slider after the drag. */
  labelAfterDrag: string;
  /** The last step's label as Plotly shows it. */
  lastLabel: string;
}

/** In the page: the mismatches between a frame's values and what Plotly drew for it. */
const COMPARE = `
window.__normlabCompare = function (gd, frame) {
  var problems = [];
  frame.traces.forEach(function (index, k) {
    var expected = frame.data[k].y;
    if (!expected) return;
    // What Plotly computed to draw: a bar's size (s) or a point's y.
    var drawn = gd.calcdata[index].map(function (c) { return c.s !== undefined ? c.s : c.y; });
    if (drawn.length !== expected.length) {
      problems.push("trace " + index + ": " + drawn.length + " drawn vs " + expected.length);
      return;
    }
    for (var i = 0; i < drawn.length; i++) {
      if (Math.abs(drawn[i] - expected[i]) > 1e-9 * Math.max(1, Math.abs(expected[i]))) {
        problems.push("trace " + index + "[" + i + "]: drawn " + drawn[i] + ", frame " + expected[i]);
      }
    }
  });
  return problems;
};
window.__normlabJump = { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } };
`;

/** Checks every chart with animation frames on the loaded page. */
export async function checkSliders(browser: Browser): Promise<SliderCheck[]> {
  await browser.evaluate(COMPARE);
  const ids = await browser.evaluate<string[]>(
    `Array.from(document.querySelectorAll(".normlab-figure"))
    .filter((gd) => gd._transitionData && gd._transitionData._frames && gd._transitionData._frames.length > 0)
    .map((gd) => gd.id)`,
  );
  const checks: SliderCheck[] = [];
  for (const id of ids) {
    const gd = `document.getElementById(${JSON.stringify(id)})`;
    const programmatic = await browser.evaluate<
      Omit<SliderCheck, "draggedLast" | "activeAfterDrag" | "labelAfterDrag">
    >(`(async () => {
      const gd = ${gd};
      gd.scrollIntoView({ block: "center" });
      const frames = gd._transitionData._frames;
      const first = frames[0];
      const last = frames[frames.length - 1];
      const snapshot = () => JSON.stringify(last.traces.map((i) => gd.calcdata[i].map((c) => c.s ?? c.y)));
      await Plotly.animate(gd, [last.name], window.__normlabJump);
      const animatedLast = window.__normlabCompare(gd, last);
      const atLast = snapshot();
      await Plotly.animate(gd, [first.name], window.__normlabJump);
      const animatedFirst = window.__normlabCompare(gd, first);
      const steps = gd._fullLayout.sliders[0].steps;
      const label = document.createElement("span");
      label.innerHTML = steps[steps.length - 1].label;
      return {
        id: gd.id,
        frames: frames.length,
        sliderDrawn: !!gd.querySelector(".slider-container .slider-grip-rect"),
        buttonsDrawn: gd.querySelectorAll(".updatemenu-button").length === 2,
        animatedLast,
        animatedFirst,
        moved: snapshot() !== atLast,
        lastLabel: label.textContent,
      };
    })()`);
    // A learner drags the grip from the first step to the end of the rail.
    const points = await browser.evaluate<
      { from: { x: number; y: number }; to: number; hit: string } | null
    >(
      `(async () => {
        const gd = ${gd};
        const grip = gd.querySelector(".slider-grip-rect");
        const rail = gd.querySelector(".slider-rail-rect");
        if (!grip || !rail) return null;
        rail.scrollIntoView({ block: "center" });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const g = grip.getBoundingClientRect();
        const r = rail.getBoundingClientRect();
        const from = { x: g.x + g.width / 2, y: g.y + g.height / 2 };
        // What a click there would hit: it must be the chart, not something covering it.
        const under = document.elementFromPoint(from.x, from.y);
        const hit = under && gd.contains(under) ? "" : (under ? under.outerHTML.slice(0, 120) : "nothing");
        return { from, to: r.x + r.width + 20, hit };
      })()`,
    );
    let dragged = { draggedLast: ["no grip to drag"], activeAfterDrag: -1, labelAfterDrag: "" };
    if (points !== null && points.hit !== "") {
      dragged.draggedLast = [`the grip is covered by ${points.hit}`];
    } else if (points !== null) {
      const mouse = (type: string, x: number, buttons: number) =>
        browser.page.send("Input.dispatchMouseEvent", {
          type,
          x,
          y: points.from.y,
          button: "left",
          buttons,
          clickCount: type === "mouseMoved" ? 0 : 1,
        });
      await mouse("mouseMoved", points.from.x, 0);
      await mouse("mousePressed", points.from.x, 1);
      for (let k = 1; k <= 10; k++) {
        await mouse("mouseMoved", points.from.x + (k / 10) * (points.to - points.from.x), 1);
      }
      await mouse("mouseReleased", points.to, 0);
      await new Promise((resolve) => setTimeout(resolve, 400));
      dragged = await browser.evaluate<typeof dragged>(`(() => {
        const gd = ${gd};
        const frames = gd._transitionData._frames;
        return {
          draggedLast: window.__normlabCompare(gd, frames[frames.length - 1]),
          activeAfterDrag: gd._fullLayout.sliders[0].active,
          labelAfterDrag: gd.querySelector(".slider-group > .slider-label")?.textContent ?? "",
        };
      })()`);
    }
    checks.push({ ...programmatic, ...dragged });
  }
  return checks;
}

/** The problems of a slider check, as messages (empty when the slider works). */
export function sliderProblems(check: SliderCheck): string[] {
  const problems: string[] = [];
  const where = `slider ${check.id} (${check.frames} steps)`;
  if (!check.sliderDrawn) problems.push(`${where}: no slider drawn`);
  if (!check.buttonsDrawn) problems.push(`${where}: no play/pause buttons`);
  for (
    const [name, list] of [
      ["Plotly.animate to the last step", check.animatedLast],
      ["Plotly.animate to the first step", check.animatedFirst],
      ["a mouse drag to the end", check.draggedLast],
    ] as const
  ) {
    if (list.length > 0) problems.push(`${where}, ${name}: ${list.slice(0, 3).join("; ")}`);
  }
  if (check.frames > 1 && !check.moved) problems.push(`${where}: nothing moved between steps`);
  if (check.activeAfterDrag !== check.frames - 1) {
    problems.push(`${where}: active step ${check.activeAfterDrag} after the drag`);
  }
  if (check.labelAfterDrag !== check.lastLabel) {
    problems.push(
      `${where}: label "${check.labelAfterDrag}" after the drag, not "${check.lastLabel}"`,
    );
  }
  return problems;
}

/** Asserts that a page drove `expected` slider charts and that every one worked. */
export function assertSliders(
  checks: readonly SliderCheck[],
  expected: number,
  label: string,
): void {
  if (checks.length !== expected) {
    throw new Error(`${label}: ${checks.length} slider chart(s) on the page, expected ${expected}`);
  }
  const problems = checks.flatMap(sliderProblems);
  if (problems.length > 0) throw new Error(`${label}: ${problems.join("\n")}`);
}

/** One line per slider for the test log: steps and the label after the drag. */
export function describeSliders(checks: readonly SliderCheck[]): string {
  return checks.map((c) => `${c.frames} steps, dragged to "${c.labelAfterDrag}"`).join("; ");
}
