/**
 * Internal: the browser side of a chart. Every chart's HTML carries this small
 * script (about 3 kB); the first copy that runs on a page defines the runtime,
 * later copies reuse it.
 *
 * Why it looks the way it does — front ends run an output's scripts
 * differently:
 * - classic Jupyter Notebook 6 inserts HTML with jQuery, which runs each inline
 *   script as a temporary copy in `<head>`, so a script cannot find "its" chart
 *   by DOM position (`document.currentScript` is the copy). Charts are found by
 *   a unique id (`document.getElementById`), never by position.
 * - plotly.js (1.7 MB, compressed) travels in one place only — a data block
 *   `<script type="application/x-normlab-plotly">` that no browser executes —
 *   so that a notebook stays small. Any chart finds that block wherever it is
 *   on the page (above or below it), and the runtime keeps the compressed
 *   bundle in the browser's IndexedDB for the site, so charts still draw after
 *   the carrying output was cleared and the page reloaded.
 * - A chart with no plotly.js yet waits; when a carrier arrives (for instance
 *   `loadPlotly()` displayed in a cell) every waiting chart draws.
 * - Front ends that do not run the scripts at all (untrusted notebooks) show
 *   the static note that the chart's HTML starts with, saying what to do.
 *
 * @module
 */
import { BASE85_ALPHABET } from "./_base85.ts";

/** The `type` of the data block that carries plotly.js (browsers do not execute it). */
export const PLOTLY_BLOCK_TYPE = "application/x-normlab-plotly";

/** The CSS of the note a chart shows until (or instead of) being drawn. */
export const NOTE_STYLE =
  "padding:10px 12px;border:1px dashed #9ca3af;border-radius:4px;color:#374151;" +
  "background:#f9fafb;font:13px/1.45 system-ui,-apple-system,sans-serif";

/**
 * The revision of the runtime below. It is part of the runtime's page-wide
 * name, so that a page still holding an older normlab's chart outputs (whose
 * runtime drew without animation frames) never lends that runtime to newer charts.
 */
const RUNTIME_REVISION = 2;

/** The name of the page-wide runtime object for a given plotly.js version. */
export function runtimeName(version: string): string {
  return `__normlabCharts_${version.replace(/\W/g, "_")}_r${RUNTIME_REVISION}`;
}

/**
 * JavaScript (no `<script>` tags) that defines `window[runtimeName(version)]`
 * once per page, with `draw(id, spec)`, `load()` and `retry()`.
 */
export function chartRuntimeSource(version: string): string {
  return withoutCommentsAndIndentation(readableRuntimeSource(version));
}

/**
 * Every chart output carries the runtime, so it travels without its comment
 * lines and indentation (a fifth smaller). No line of the source starts
 * inside a string or a regular expression, so dropping them changes nothing.
 */
function withoutCommentsAndIndentation(source: string): string {
  return source.split("\n").map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("//")).join("\n");
}

/** The runtime as written, with its comments. */
function readableRuntimeSource(version: string): string {
  const name = JSON.stringify(runtimeName(version));
  return `(function () {
  var NAME = ${name};
  if (window[NAME]) return;
  var VERSION = ${JSON.stringify(version)};
  var BLOCK = 'script[type="${PLOTLY_BLOCK_TYPE}"][data-version="' + VERSION + '"]';
  var MISSING = "Chart not drawn: plotly.js is not on this page and this browser has no saved copy " +
    "(the output that carried it was cleared or lost). Run await show(loadPlotly()) with normlab's " +
    "show and loadPlotly in any cell and this chart draws; or restart the kernel and run all cells.";
  var runtime = { waiting: [], plotly: null, lookup: null, listening: false };
  window[NAME] = runtime;

  function note(element, text) {
    var box = element.querySelector(".normlab-note");
    if (!box) {
      box = document.createElement("div");
      box.className = "normlab-note";
      box.style.cssText = ${JSON.stringify(NOTE_STYLE)};
      element.insertBefore(box, element.firstChild);
    }
    box.textContent = text;
  }

  // Base85 (see _base85.ts): 5 characters for every 4 bytes, big-endian.
  function unpack(text, length) {
    var alphabet = ${JSON.stringify(BASE85_ALPHABET)};
    var digit = new Uint8Array(128);
    for (var a = 0; a < 85; a++) digit[alphabet.charCodeAt(a)] = a;
    text = text.replace(/\\s+/g, "");
    var bytes = new Uint8Array(length);
    for (var i = 0, o = 0; i < text.length; i += 5, o += 4) {
      var n = 0;
      for (var k = 0; k < 5; k++) n = n * 85 + digit[text.charCodeAt(i + k)];
      for (var b = 3; b >= 0; b--) {
        if (o + b < length) bytes[o + b] = n & 255;
        n = Math.floor(n / 256);
      }
    }
    return bytes;
  }

  // Runs gzip-compressed plotly.js. Its UMD wrapper would register with an AMD
  // loader (require.js in classic Jupyter) instead of defining window.Plotly, so
  // define is hidden while it runs.
  function inject(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(function (code) {
      if (window.Plotly && typeof window.Plotly.newPlot === "function") return window.Plotly;
      var savedDefine = window.define;
      window.define = undefined;
      try {
        var script = document.createElement("script");
        script.textContent = code;
        document.head.appendChild(script);
      } finally {
        window.define = savedDefine;
      }
      if (!window.Plotly) throw new Error("plotly.js did not load");
      return window.Plotly;
    });
  }

  // The browser's copy: IndexedDB "normlab", store "plotly", key = version.
  function store(mode, use) {
    return new Promise(function (resolve) {
      var request;
      try {
        request = window.indexedDB.open("normlab", 1);
      } catch (error) {
        return resolve(null);
      }
      request.onupgradeneeded = function () { request.result.createObjectStore("plotly"); };
      request.onerror = function (event) { event.preventDefault(); resolve(null); };
      request.onblocked = function () { resolve(null); };
      request.onsuccess = function () {
        var db = request.result;
        try {
          var action = use(db.transaction("plotly", mode).objectStore("plotly"));
          action.onsuccess = function () { resolve(action.result || null); db.close(); };
          action.onerror = function (event) { event.preventDefault(); resolve(null); db.close(); };
        } catch (error) {
          resolve(null);
          db.close();
        }
      };
    });
  }

  runtime.load = function () {
    if (runtime.plotly) return runtime.plotly;
    if (window.Plotly && typeof window.Plotly.newPlot === "function") {
      return (runtime.plotly = Promise.resolve(window.Plotly));
    }
    var block = document.querySelector(BLOCK);
    if (block) {
      var bytes = unpack(block.textContent, Number(block.getAttribute("data-bytes")));
      var loading = inject(bytes);
      runtime.plotly = loading;
      loading.then(function () {
        store("readwrite", function (s) { return s.put(bytes, VERSION); });
      }, function () { runtime.plotly = null; });
      return loading;
    }
    if (!runtime.lookup) {
      runtime.lookup = store("readonly", function (s) { return s.get(VERSION); }).then(function (bytes) {
        runtime.lookup = null;
        if (runtime.plotly) return runtime.plotly;
        if (!bytes) return null;
        var loading = inject(new Uint8Array(bytes));
        runtime.plotly = loading;
        loading.catch(function () { runtime.plotly = null; });
        return loading;
      });
    }
    return runtime.lookup;
  };

  runtime.draw = function (id, spec, attempt) {
    var element = document.getElementById(id);
    if (!element) {
      // Not in the document yet (a front end may run scripts before inserting the output).
      if ((attempt || 0) < 100) setTimeout(function () { runtime.draw(id, spec, (attempt || 0) + 1); }, 50);
      return;
    }
    note(element, "Loading plotly.js…");
    runtime.load().then(function (Plotly) {
      if (!Plotly) {
        runtime.waiting.push({ id: id, spec: spec });
        if (document.readyState === "loading") {
          if (!runtime.listening) document.addEventListener("DOMContentLoaded", runtime.retry);
          runtime.listening = true;
        } else {
          note(element, MISSING);
        }
        return;
      }
      var box = element.querySelector(".normlab-note");
      if (box) element.removeChild(box);
      // The whole figure object, so that animation frames (sliders) come along.
      return Plotly.newPlot(element, spec);
    }).catch(function (error) {
      note(element, "Chart not drawn: " + error);
    });
  };

  // A carrier arrived, or the page finished loading: draw every waiting chart.
  runtime.retry = function () {
    var waiting = runtime.waiting;
    runtime.waiting = [];
    for (var i = 0; i < waiting.length; i++) runtime.draw(waiting[i].id, waiting[i].spec);
  };
})();`;
}
