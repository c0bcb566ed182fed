/**
 * A headless Chromium driven over the DevTools protocol: opens a page with
 * the network switched off, waits for every normlab chart to draw, counts
 * Plotly's SVG roots, collects console errors and outside requests, and
 * saves a full-page screenshot.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** What a page showed. */
export interface PageReport {
  /** Chart containers on the page (`.normlab-figure`). */
  figures: number;
  /** Containers that Plotly drew into (they hold an `svg.main-svg` root). */
  drawn: number;
  /** All of Plotly's SVG roots on the page. */
  svgRoots: number;
  /** Console errors, uncaught exceptions and error log entries. */
  errors: string[];
  /** Requests for anything but file:, data:, blob: and about: URLs. */
  outsideRequests: string[];
  /** Whether plotly.js loaded (from the inlined bundle). */
  plotlyLoaded: boolean;
  /**
   * The fonts Chromium actually drew the first match of each selector in
   * `fontsOf` with (DevTools' platform fonts), e.g. `{ h1: ["Noto Sans Bengali"] }`.
   */
  fonts: Record<string, string[]>;
  /** The value of the `probe` expression, evaluated in the page after every chart drew. */
  probe?: unknown;
}

/** Options for {@linkcode inspectPage}. */
export interface InspectOptions {
  /** A JavaScript expression (a promise is awaited) evaluated after the charts drew; its JSON value is returned as `probe`. */
  probe?: string;
  /** CSS selectors whose rendered fonts to report in `fonts`. */
  fontsOf?: readonly string[];
}

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  "--hide-scrollbars",
  "--remote-debugging-port=0",
];

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

class DevTools {
  #socket: WebSocket;
  #next = 1;
  #pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  #listeners: ((m: Message) => void)[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message);
      } else {
        for (const listener of this.#listeners) listener(message);
      }
    };
  }

  static async connect(url: string): Promise<DevTools> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    return new DevTools(socket);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Message> {
    const id = this.#next++;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  on(listener: (m: Message) => void): void {
    this.#listeners.push(listener);
  }

  waitFor(method: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${method}`)),
        timeoutMs,
      );
      this.on((m) => {
        if (m.method === method) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  close(): void {
    this.#socket.close();
  }
}

async function readDevToolsUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const reader = stderr.getReader();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
    const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
    if (match) {
      // Keep draining stderr so Chromium never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })();
      return match[1]!;
    }
  }
  throw new Error(`Chromium did not start its DevTools endpoint:\n${text}`);
}

const MEASURE = `(async () => {
  let plotlyLoaded = false;
  try {
    if (window.__normlabPlotly) { await window.__normlabPlotly; plotlyLoaded = true; }
  } catch (error) { console.error("plotly.js failed to load: " + error); }
  const figures = () => Array.from(document.querySelectorAll(".normlab-figure"));
  const drawn = () => figures().filter((f) => f.querySelector("svg.main-svg")).length;
  const deadline = Date.now() + 30000;
  while (drawn() < figures().length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    figures: figures().length,
    drawn: drawn(),
    svgRoots: document.querySelectorAll("svg.main-svg").length,
    plotlyLoaded: plotlyLoaded || typeof window.Plotly === "object",
  };
})()`;

/**
 * Opens `url` in headless Chromium with no network and reports what it drew;
 * `options.fontsOf` lists CSS selectors whose rendered fonts to report.
 */
export async function inspectPage(
  url: string,
  screenshotPath: string,
  options: InspectOptions = {},
): Promise<PageReport> {
  const profile = await Deno.makeTempDir({ prefix: "normlab-chromium-" });
  const chromium = new Deno.Command(Deno.env.get("CHROMIUM") ?? "chromium", {
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let devtools: DevTools | undefined;
  try {
    const browserUrl = await readDevToolsUrl(chromium.stderr);
    const port = new URL(browserUrl).port;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const page = targets.find((t) => t.type === "page");
    if (!page) throw new Error("Chromium opened no page");
    devtools = await DevTools.connect(page.webSocketDebuggerUrl);
    const errors: string[] = [];
    const outsideRequests: string[] = [];
    devtools.on((m) => {
      const p = m.params ?? {};
      if (m.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) {
        const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
        errors.push(`console.${p.type}: ${args.map((a) => a.value ?? a.description).join(" ")}`);
      } else if (m.method === "Runtime.exceptionThrown") {
        const details = p.exceptionDetails as {
          text: string;
          exception?: { description?: string };
        };
        errors.push(`exception: ${details.exception?.description ?? details.text}`);
      } else if (m.method === "Log.entryAdded") {
        const entry = p.entry as { level: string; text: string; url?: string };
        if (entry.level === "error") errors.push(`log: ${entry.text} ${entry.url ?? ""}`.trim());
      } else if (m.method === "Network.requestWillBeSent") {
        const request = p.request as { url: string };
        if (!/^(file|data|blob|about):/.test(request.url)) outsideRequests.push(request.url);
      }
    });
    await devtools.send("Runtime.enable");
    await devtools.send("Log.enable");
    await devtools.send("Page.enable");
    await devtools.send("Network.enable");
    await devtools.send("Network.emulateNetworkConditions", {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await devtools.send("Emulation.setDeviceMetricsOverride", {
      width: 1200,
      height: 900,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const loaded = devtools.waitFor("Page.loadEventFired", 60_000);
    await devtools.send("Page.navigate", { url });
    await loaded;
    const evaluation = await devtools.send("Runtime.evaluate", {
      expression: MEASURE,
      awaitPromise: true,
      returnByValue: true,
    });
    const measured =
      (evaluation.result as { result: { value: Omit<PageReport, "errors" | "outsideRequests"> } })
        .result.value;
    const fontsOf = options.fontsOf ?? [];
    const fonts: Record<string, string[]> = {};
    if (fontsOf.length > 0) {
      await devtools.send("DOM.enable");
      await devtools.send("CSS.enable");
      const root = (await devtools.send("DOM.getDocument", { depth: -1 })).result!
        .root as { nodeId: number };
      for (const selector of fontsOf) {
        const found = await devtools.send("DOM.querySelector", { nodeId: root.nodeId, selector });
        const nodeId = found.result!.nodeId as number;
        if (!nodeId) {
          fonts[selector] = [];
          continue;
        }
        const used = await devtools.send("CSS.getPlatformFontsForNode", { nodeId });
        fonts[selector] = (used.result!.fonts as { familyName: string }[]).map((f) => f.familyName);
      }
    }
    let probe: unknown;
    if (options.probe !== undefined) {
      const probed = await devtools.send("Runtime.evaluate", {
        expression: options.probe,
        awaitPromise: true,
        returnByValue: true,
      });
      const result = probed.result as {
        result: { value?: unknown };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      };
      if (result.exceptionDetails) {
        const details = result.exceptionDetails;
        throw new Error(`probe failed: ${details.exception?.description ?? details.text}`);
      }
      probe = result.result.value;
    }
    const metrics = await devtools.send("Page.getLayoutMetrics");
    const content = metrics.result!.cssContentSize as { height: number };
    await devtools.send("Emulation.setDeviceMetricsOverride", {
      width: 1200,
      height: Math.min(Math.ceil(content.height), 16000),
      deviceScaleFactor: 1,
      mobile: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const shot = await devtools.send("Page.captureScreenshot", { format: "png" });
    await Deno.writeFile(screenshotPath, Buffer.from(String(shot.result!.data), "base64"));
    return { ...measured, errors, outsideRequests, fonts, probe };
  } finally {
    devtools?.close();
    try {
      chromium.kill("SIGKILL");
    } catch { /* already gone */ }
    await chromium.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
