/**
 * A headless Chromium driven over the DevTools protocol: opens a page with
 * the network switched off, waits for every normlab chart to draw, counts
 * Plotly's SVG roots, collects console errors and outside requests, and
 * saves a full-page screenshot.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { checkSliders, type SliderCheck } from "./sliders.ts";

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
  /** Every slider chart, driven to its last and first steps and dragged (see `checkSliders`). */
  sliders: SliderCheck[];
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

/** A DevTools protocol message. */
export interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** One DevTools protocol connection (to a page). */
export class DevTools {
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

  /** Connects to a DevTools WebSocket URL. */
  static async connect(url: string): Promise<DevTools> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    return new DevTools(socket);
  }

  /** Sends a command; resolves with its reply. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Message> {
    const id = this.#next++;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  /** Calls `listener` with every event. */
  on(listener: (m: Message) => void): void {
    this.#listeners.push(listener);
  }

  /** Resolves at the next `method` event. */
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

  /** Closes the connection. */
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
    plotlyLoaded: typeof window.Plotly === "object" && typeof window.Plotly.newPlot === "function",
  };
})()`;

/**
 * Opens `url` in headless Chromium with no network and reports what it drew;
 * `options.fontsOf` lists CSS selectors whose rendered fonts to report, and
 * `options.probe` is evaluated in the page after the charts drew.
 */
export async function inspectPage(
  url: string,
  screenshotPath: string,
  options: InspectOptions = {},
): Promise<PageReport> {
  const browser = await launchBrowser(/^(file|data|blob|about):/);
  try {
    await browser.page.send("Network.emulateNetworkConditions", {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await browser.load(url);
    const measured = await browser.evaluate<
      Omit<PageReport, "errors" | "outsideRequests" | "fonts" | "probe" | "sliders">
    >(MEASURE);
    const fonts = await renderedFonts(browser.page, options.fontsOf ?? []);
    const probe = options.probe === undefined
      ? undefined
      : await browser.evaluate<unknown>(options.probe);
    const sliders = await checkSliders(browser);
    await browser.screenshot(screenshotPath);
    return {
      ...measured,
      errors: browser.errors,
      outsideRequests: browser.outsideRequests,
      fonts,
      probe,
      sliders,
    };
  } finally {
    await browser.close();
  }
}

/** The fonts Chromium drew the first match of each selector with (DevTools' platform fonts). */
async function renderedFonts(
  devtools: DevTools,
  selectors: readonly string[],
): Promise<Record<string, string[]>> {
  const fonts: Record<string, string[]> = {};
  if (selectors.length === 0) return fonts;
  await devtools.send("DOM.enable");
  await devtools.send("CSS.enable");
  const root = (await devtools.send("DOM.getDocument", { depth: -1 })).result!
    .root as { nodeId: number };
  for (const selector of selectors) {
    const found = await devtools.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    const nodeId = found.result!.nodeId as number;
    if (!nodeId) {
      fonts[selector] = [];
      continue;
    }
    const used = await devtools.send("CSS.getPlatformFontsForNode", { nodeId });
    fonts[selector] = (used.result!.fonts as { familyName: string }[]).map((f) => f.familyName);
  }
  return fonts;
}

/** A headless Chromium with one page, collecting errors and outside requests as it goes. */
export interface Browser {
  /** The page. */
  page: DevTools;
  /** Console errors, uncaught exceptions and error log entries so far. */
  errors: string[];
  /** Requests for anything but `allowed` URLs so far. */
  outsideRequests: string[];
  /** Evaluates `expression` in the page (awaiting a promise) and returns its value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Clicks the centre of the first element matching `selector`, as a user would. */
  click(selector: string): Promise<void>;
  /** Navigates (or reloads, with no url) and waits for the load event. */
  load(url?: string): Promise<void>;
  /** A full-page PNG screenshot. */
  screenshot(path: string): Promise<void>;
  /** Ends Chromium and removes its profile. */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium (a fresh profile) with one page of 1200 px width.
 * Requests to URLs that `allowed` does not match are recorded as outside requests.
 */
export async function launchBrowser(allowed: RegExp): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "normlab-chromium-" });
  const chromium = new Deno.Command(Deno.env.get("CHROMIUM") ?? "chromium", {
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let page: DevTools | undefined;
  const close = async () => {
    page?.close();
    try {
      chromium.kill("SIGKILL");
    } catch { /* already gone */ }
    await chromium.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  try {
    const browserUrl = await readDevToolsUrl(chromium.stderr);
    const port = new URL(browserUrl).port;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((t) => t.type === "page");
    if (!target) throw new Error("Chromium opened no page");
    const devtools = await DevTools.connect(target.webSocketDebuggerUrl);
    page = devtools;
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
        if (!allowed.test(request.url)) outsideRequests.push(request.url);
      }
    });
    for (const domain of ["Runtime", "Log", "Page", "Network"]) {
      await devtools.send(`${domain}.enable`);
    }
    const viewport = (height: number) =>
      devtools.send("Emulation.setDeviceMetricsOverride", {
        width: 1200,
        height,
        deviceScaleFactor: 1,
        mobile: false,
      });
    await viewport(900);
    const evaluate = async <T>(expression: string): Promise<T> => {
      const reply = await devtools.send("Runtime.evaluate", {
        expression,
        awaitPromise: true,
        returnByValue: true,
      });
      const result = reply.result as {
        result: { value: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      };
      if (result.exceptionDetails) {
        const details = result.exceptionDetails;
        throw new Error(
          `page evaluation failed: ${details.exception?.description ?? details.text}`,
        );
      }
      return result.result.value;
    };
    return {
      page: devtools,
      errors,
      outsideRequests,
      evaluate,
      async click(selector: string) {
        const point = await evaluate<{ x: number; y: number } | null>(`(() => {
          const element = document.querySelector(${JSON.stringify(selector)});
          if (!element) return null;
          element.scrollIntoView({ block: "center" });
          const r = element.getBoundingClientRect();
          return r.width > 0 && r.height > 0 ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
        })()`);
        if (!point) throw new Error(`nothing visible to click at ${selector}`);
        for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
          await devtools.send("Input.dispatchMouseEvent", {
            type,
            x: point.x,
            y: point.y,
            button: "left",
            clickCount: type === "mouseMoved" ? 0 : 1,
          });
        }
      },
      async load(url?: string) {
        const loaded = devtools.waitFor("Page.loadEventFired", 60_000);
        if (url === undefined) await devtools.send("Page.reload", { ignoreCache: false });
        else await devtools.send("Page.navigate", { url });
        await loaded;
      },
      async screenshot(path: string) {
        const metrics = await devtools.send("Page.getLayoutMetrics");
        const content = metrics.result!.cssContentSize as { height: number };
        await viewport(Math.min(Math.ceil(content.height), 16000));
        await new Promise((resolve) => setTimeout(resolve, 500));
        const shot = await devtools.send("Page.captureScreenshot", { format: "png" });
        await Deno.writeFile(path, Buffer.from(String(shot.result!.data), "base64"));
        await viewport(900);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
