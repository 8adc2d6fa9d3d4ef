// Builds tongxin/static/vendor/bootstrap/ from the bootstrap package pinned in package.json:
// the CSS keeps only the rules whose classes the project uses (PurgeCSS over the templates, the
// Python code that names classes and our scripts, plus the classes Bootstrap's JavaScript adds
// to the one component we use, the navbar's collapse). Run `npm run build:css` here
// after adding a Bootstrap class that no template used before, and commit the output;
// tests/core/test_static_build.py fails when a template uses a class the build left out.
// The source-map comments are dropped: the maps are not shipped, and collectstatic's manifest
// would refuse a reference to a missing file.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PurgeCSS } from "purgecss";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const dist = path.join(here, "node_modules", "bootstrap", "dist");
const out = path.join(root, "tongxin", "static", "vendor", "bootstrap");
const noSourceMap = (text) => text.replace(/\n?\/[*/]# sourceMappingURL=\S+( \*\/)?\s*$/, "\n");

const [result] = await new PurgeCSS().purge({
  css: [path.join(dist, "css", "bootstrap.min.css")],
  content: [
    path.join(root, "tongxin", "**", "*.html"),
    path.join(root, "tongxin", "**", "*.py"),
    path.join(root, "tongxin", "static", "tongxin", "*.js"),
  ],
  // Template classes are plain words; keep Bootstrap's class characters (md:, 1/2) together.
  defaultExtractor: (content) => content.match(/[\w-/:]+(?<!:)/g) || [],
  safelist: {
    // alert-{{ message.tags }} in base.html and resident_base.html
    standard: [/^alert-(success|info|warning|danger)$/, "show", "collapsing", "collapse"],
  },
  variables: false,
  keyframes: true,
  fontFace: true,
});
fs.mkdirSync(out, { recursive: true });
const header = "/*! Bootstrap v5.3.9 (MIT, https://getbootstrap.com/), trimmed to the classes Tongxin uses by tools/frontend/build-css.mjs */\n";
const css = header + noSourceMap(result.css).replace(/^@charset "UTF-8";/, "");
fs.writeFileSync(path.join(out, "bootstrap.min.css"), css);
fs.writeFileSync(
  path.join(out, "bootstrap.bundle.min.js"),
  noSourceMap(fs.readFileSync(path.join(dist, "js", "bootstrap.bundle.min.js"), "utf8")),
);
// Every class of the full build, for the test that catches a class the trimmed file lacks.
const fullCss = fs.readFileSync(path.join(dist, "css", "bootstrap.min.css"), "utf8");
const classes = [...new Set(fullCss.replace(/url\([^)]*\)/g, "").match(/\.-?[_a-zA-Z][\w-]*/g).map((c) => c.slice(1)))].sort();
fs.writeFileSync(path.join(here, "bootstrap-classes.txt"), classes.join("\n") + "\n");
const full = fullCss.length;
console.log(`bootstrap.min.css: ${(css.length / 1024).toFixed(0)} KiB of ${(full / 1024).toFixed(0)} KiB`);
