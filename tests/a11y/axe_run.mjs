// Run axe-core on local HTML files in headless Chromium; print one JSON document on stdout.
//
//   node axe_run.mjs --chromium /usr/bin/chromium --tags wcag2a,wcag2aa --media screen,print PAGE.html...
//
// Output: {"axe": VERSION, "browser": VERSION, "results": [{"file", "media", "violations",
// "incomplete", "passes", "requests"}]}, one result per file and media type: "violations" as axe
// gives them, "incomplete" (what axe could not decide, for a person to review) as {id, impact,
// help, targets, reasons}, "passes" the ids of the rules that found elements and passed, and "requests"
// every URL the page asked for that is not the file itself (the handout is self-contained: the
// caller treats any as a fault; none is fetched, each is aborted).
// Exit 0 when axe ran, whatever it found; 2 on bad use; 1 when the browser or axe failed.
// Called by tests/a11y_tools.py; never reads stdin.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const { values, positionals } = parseArgs({
  options: {
    chromium: { type: "string", default: "/usr/bin/chromium" },
    tags: { type: "string", default: "wcag2a,wcag2aa,wcag21a,wcag21aa,wcag22aa" },
    media: { type: "string", default: "screen" },
    timeout: { type: "string", default: "60000" },
  },
  allowPositionals: true,
});
if (positionals.length === 0) {
  process.stderr.write("usage: node axe_run.mjs [--chromium PATH] [--tags T,..] [--media M,..] PAGE.html...\n");
  process.exit(2);
}
const tags = values.tags.split(",").filter(Boolean);
const media = values.media.split(",").filter(Boolean);
const timeout = Number(values.timeout);

const browser = await chromium.launch({
  executablePath: values.chromium,
  headless: true,
  timeout,
  args: ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  // axe is defined before the page's own code runs, without adding an element the rules would see.
  await context.addInitScript({ content: axeSource });
  const results = [];
  for (const file of positionals) {
    const url = pathToFileURL(resolve(file)).href;
    for (const type of media) {
      const page = await context.newPage();
      const requests = [];
      await page.route("**/*", (route) => {
        const asked = route.request().url();
        if (asked === url) return route.continue();
        requests.push(asked);
        return route.abort();
      });
      await page.emulateMedia({ media: type });
      await page.goto(url, { waitUntil: "load", timeout });
      const found = await page.evaluate(async (runOnly) => {
        const found = await window.axe.run(document, {
          runOnly: { type: "tag", values: runOnly },
          resultTypes: ["violations", "incomplete"],
        });
        const brief = (rule) => ({
          id: rule.id,
          impact: rule.impact,
          help: rule.help,
          targets: rule.nodes.map((node) => node.target),
          reasons: [
            ...new Set(rule.nodes.flatMap((node) => [...node.any, ...node.all, ...node.none].map((c) => c.message))),
          ],
        });
        return {
          violations: found.violations,
          incomplete: found.incomplete.map(brief),
          passes: found.passes.map((rule) => rule.id),
        };
      }, tags);
      results.push({ file, media: type, ...found, requests });
      await page.close();
    }
  }
  const axeVersion = JSON.parse(readFileSync(require.resolve("axe-core/package.json"), "utf8")).version;
  process.stdout.write(JSON.stringify({ axe: axeVersion, browser: browser.version(), results }) + "\n");
} finally {
  await browser.close();
}
