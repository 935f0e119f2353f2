// Mozilla's Readability.js over many pages in one node process, for benchmarks/unseen.py.
//
//   node benchmarks/unseen_readability.js MODULES_DIR PAGES.jsonl > OUT.jsonl
//
// MODULES_DIR holds node_modules/ with @mozilla/readability and jsdom (`npm install
// @mozilla/readability jsdom` there). Each input line is {"n", "url", "html"}; each output line is
// {"n", "title", "byline", "date", "text"} or {"n", "error"}. `text` is the article's text with a
// line per block (paragraph, heading, list item, table row, <br>), as the other tools give theirs,
// so that ROUGE-LSum's lines mean the same thing for all. No script on the pages is run.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { createRequire } = require("module");

const [modules, pagesFile] = process.argv.slice(2);
const load = createRequire(path.join(path.resolve(modules), "package.json"));
const { JSDOM, VirtualConsole } = load("jsdom");
const { Readability } = load("@mozilla/readability");

const BLOCK = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "BR", "DD", "DIV", "DL", "DT", "FIGCAPTION", "FIGURE",
  "FOOTER", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI", "MAIN", "NAV", "OL", "P", "PRE",
  "SECTION", "TABLE", "TR", "UL",
]);

function textOf(node, out, inPre) {
  for (const child of node.childNodes) {
    if (child.nodeType === 3) {
      out.push(inPre ? child.data : child.data.replace(/\s+/g, " "));
    } else if (child.nodeType === 1) {
      const tag = child.tagName;
      if (tag === "SCRIPT" || tag === "STYLE" || tag === "NOSCRIPT") continue;
      const block = BLOCK.has(tag);
      if (block) out.push("\n");
      if (tag === "TD" || tag === "TH") out.push(" ");
      textOf(child, out, inPre || tag === "PRE");
      if (block) out.push("\n");
    }
  }
}

function lines(html, document) {
  const holder = document.createElement("div");
  holder.innerHTML = html;
  const out = [];
  textOf(holder, out, false);
  return out.join("").split("\n").map((l) => l.replace(/[ \t\r\f\v\u00a0]+/g, " ").trim())
    .filter((l) => l).join("\n");
}

function read(page) {
  const options = { virtualConsole: new VirtualConsole() };
  let dom;
  try {
    dom = new JSDOM(page.html, page.url ? { ...options, url: page.url } : options);
  } catch (err) {
    dom = new JSDOM(page.html, options); // an address jsdom refuses
  }
  try {
    const article = new Readability(dom.window.document).parse();
    if (!article) return { n: page.n, title: "", byline: "", date: "", text: "" };
    return {
      n: page.n, title: article.title || "", byline: article.byline || "", date: article.publishedTime || "",
      text: lines(article.content || "", dom.window.document),
    };
  } finally {
    dom.window.close();
  }
}

async function main() {
  const input = readline.createInterface({ input: fs.createReadStream(pagesFile), crlfDelay: Infinity });
  let done = 0;
  for await (const line of input) {
    if (!line.trim()) continue;
    const page = JSON.parse(line);
    let result;
    try {
      result = read(page);
    } catch (err) {
      result = { n: page.n, error: String((err && err.message) || err).slice(0, 200) };
    }
    process.stdout.write(JSON.stringify(result) + "\n");
    done += 1;
    if (done % 50 === 0) process.stderr.write(`Readability.js: ${done} pages\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`Readability.js: ${err.stack || err}\n`);
  process.exit(1);
});
