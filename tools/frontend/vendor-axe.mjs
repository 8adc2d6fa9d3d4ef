// Copies axe-core (pinned in package.json) into the e2e tests' assets, where
// tests/e2e/browser.py injects it into each page the browser tests visit.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dest = path.join(here, "..", "..", "tests", "e2e", "assets");
fs.mkdirSync(dest, { recursive: true });
fs.copyFileSync(path.join(here, "node_modules", "axe-core", "axe.min.js"), path.join(dest, "axe.min.js"));
fs.copyFileSync(path.join(here, "node_modules", "axe-core", "LICENSE"), path.join(dest, "axe-LICENSE.txt"));
console.log(`axe-core copied to ${dest}`);
