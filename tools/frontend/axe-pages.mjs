// axe-core (WCAG 2.0/2.1 A and AA) on the Lighthouse pages, at 1280 and 375 px, with the demo
// town's real data, run by tools/lighthouse.sh. The e2e tests check every page they visit with
// their own small data; this adds the pages as a full demo fills them.
//
//   node axe-pages.mjs PAGES.json        (the same page list as lighthouse-budgets.mjs)
//
// Prints each page's violations; exit 1 when there is any.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const AXE = fs.readFileSync(path.join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 375, height: 812, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
];

const pages = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const browser = await puppeteer.launch({
  executablePath: process.env.TONGXIN_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN"],
});
let total = 0;
try {
  for (const page of pages) {
    const counts = [];
    for (const viewport of WIDTHS) {
      const tab = await browser.newPage();
      await tab.setViewport(viewport);
      const cdp = await tab.createCDPSession();
      await cdp.send("Network.clearBrowserCookies");
      if (page.cookie) {
        const [name, value] = page.cookie.split("=");
        await tab.setCookie({ name, value, url: page.url });
      }
      await tab.goto(page.url, { waitUntil: "networkidle0" });
      await tab.evaluate(AXE); // evaluate is not bound by the page's CSP
      const result = await tab.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        TAGS,
      );
      await tab.close();
      counts.push(result.violations.length);
      total += result.violations.length;
      for (const v of result.violations) {
        const targets = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ");
        console.log(`  ${page.name} ${viewport.width} px: ${v.id} [${v.impact}] ${v.help}: ${targets}`);
      }
    }
    console.log(`${page.name.padEnd(8)} axe violations: ${counts[0]} at 1280 px, ${counts[1]} at 375 px`);
  }
} finally {
  await browser.close();
}
if (total) {
  console.log(`\naxe-core: ${total} WCAG 2.1 A/AA violations`);
  process.exit(1);
}
