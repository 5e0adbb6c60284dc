// Builds two hostile portfolios from xss-vectors.txt:
//
//   OUT/hostile/  a portfolio that must build (warnings are fine). Raw HTML
//                 vectors sit in evidence bodies (as blocks and inline), URL
//                 vectors in raw HTML attributes, Markdown tricks in bodies and
//                 summaries, and every vector in some text field that reaches a
//                 page: site title and organisation, approvers, release titles,
//                 page titles, a custom checklist's titles and summaries,
//                 workload name, owner, summary and assets, and the evidence
//                 fields justification, waiver, validated_by, domain, risks and
//                 cutover records.
//   OUT/refused/  a portfolio whose Markdown links, images, reference links,
//                 autolinks and documented_in entries use the dangerous URLs.
//                 `cutover check` must refuse every one of them with an error
//                 on the line it sits on; OUT/refused/expected.json lists them.
//
// Usage: node gen-xss.mjs OUT
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const setAside = args[0] === "--set-aside";
const out = setAside ? args[1] : args[0];
if (!out || (setAside && !args[2])) {
  console.error("usage: node gen-xss.mjs OUT\n       node gen-xss.mjs --set-aside OUT CHECK.json");
  process.exit(2);
}

const PLACEHOLDERS = {
  TAB: "\t", LF: "\n", CR: "\r", FF: "\f", NUL: "\0", SOH: "\u0001",
  NBSP: "\u00a0", LS: "\u2028", PS: "\u2029", ZWSP: "\u200b", BOM: "\ufeff",
};

/** The corpus: { html: [...], url: [...], md: [...], text: [...] }. */
export function readCorpus(file = join(here, "xss-vectors.txt")) {
  const sections = {};
  let current = null;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const head = /^## (\w+)\s*$/.exec(line);
    if (head) {
      current = sections[head[1]] = sections[head[1]] || [];
      continue;
    }
    if (line.startsWith("#") || line.trim() === "" || !current) continue;
    current.push(line.replace(/\{([A-Z]+)\}/g, (m, k) => (k in PLACEHOLDERS ? PLACEHOLDERS[k] : m)));
  }
  return sections;
}

/** A YAML double-quoted scalar that holds any text (JSON-style escapes). */
function q(s) {
  let r = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') r += '\\"';
    else if (ch === "\\") r += "\\\\";
    else if (c >= 0x20 && c < 0x7f) r += ch;
    else if (c > 0xffff) r += "\\U" + c.toString(16).padStart(8, "0");
    else r += "\\u" + c.toString(16).padStart(4, "0");
  }
  return r + '"';
}

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const corpus = readCorpus();
const { html, url, md, text } = corpus;
for (const k of ["html", "url", "md", "text"]) {
  if (!corpus[k] || corpus[k].length === 0) throw new Error(`corpus section ${k} is empty`);
}
const all = [...text, ...html, ...md, ...url];

/** Hands out vectors in turn, round and round: every vector gets a text field. */
function cursor(list, start = 0) {
  let i = start;
  return () => list[i++ % list.length];
}
const field = cursor(all);
const strong = cursor([...text, ...html], Math.floor((text.length + html.length) / 2));

// The built-in checklist's shape, with hostile titles and summaries.
const ITEMS = [
  ["assess", "prerequisites"], ["architect", "prerequisites"], ["replicate", "prerequisites"],
  ["stage", "prerequisites"], ["business-testing", "prerequisites"], ["business-change-plan", "prerequisites"],
  ["ready", "prerequisites"], ["domain-alignment", "best-practices"], ["user-routing", "best-practices"],
  ["identity-alignment", "best-practices"], ["application-performance", "best-practices"],
  ["bcdr-validation", "best-practices"], ["data-classification", "best-practices"],
  ["ciso-verification", "best-practices"], ["promote", "promotion"],
];
const ITEM_IDS = ITEMS.map(([id]) => id);

function hostilePortfolio(root) {
  rmSync(root, { recursive: true, force: true });
  const c = join(root, "content");
  const releases = ["r-one", "r-two", "r-three", "r-four", "r-five"];
  const targets = ["2026-10-01", "2026-11-26", "2026-12-24", "2027-02-01", "2027-06-30"];
  const ciso = [field(), field()];
  const business = [field(), field()];
  write(join(c, "site.yaml"), [
    `title: ${q("Hostile " + strong())}`,
    `organisation: ${q(strong())}`,
    `base_url: ${q('https://example.org/"><script>alert(901)</script>/')}`,
    "approvers:",
    `  ciso: [${ciso.map(q).join(", ")}]`,
    `  business: [${business.map(q).join(", ")}]`,
    "releases:",
    ...releases.flatMap((id, i) => [`  - id: ${id}`, `    title: ${q(strong())}`, `    target: ${targets[i]}`]),
    "",
  ].join("\n"));

  const groups = ["prerequisites", "best-practices", "promotion"];
  const fieldsOf = {
    "domain-alignment": ["      domain: {type: string, required_from: documented}"],
    "bcdr-validation": ["      last_restore_test: {type: date, required_from: executed}"],
    "data-classification": [
      "      classification: {type: enum, values: [public, internal, confidential, highly-confidential], required_from: documented}",
    ],
    "ciso-verification": [
      "      risks:",
      "        type: list",
      "        required_from: documented",
      "        fields: {id: {type: string}, description: {type: text}, mitigation: {type: text}, accepted: {type: boolean}}",
    ],
    promote: [
      "      promoted_on: {type: date, required_from: executed}",
      "      cutover:",
      "        type: list",
      "        required_from: documented",
      "        fields: {record: {type: string}, type: {type: enum, values: [A, AAAA, CNAME]}, from: {type: string}, to: {type: string}, ttl: {type: number}}",
    ],
  };
  const extra = {
    "domain-alignment": ["    allow_not_applicable: true"],
    "business-change-plan": ["    signoff: business"],
    "ciso-verification": ["    signoff: ciso"],
    "application-performance": ["    max_age_days: 30"],
    "bcdr-validation": ["    max_age_days: 90"],
    replicate: ["    after: [assess, architect]"],
    stage: ["    after: [replicate]"],
    promote: [`    after: [${ITEM_IDS.filter((i) => i !== "promote").join(", ")}]`],
  };
  write(join(c, "checklist.yaml"), [
    "version: 1",
    `title: ${q(strong())}`,
    "groups:",
    ...groups.map((g) => `  - {id: ${g}, title: ${q(strong())}}`),
    "items:",
    ...ITEMS.flatMap(([id, g]) => [
      `  - id: ${id}`,
      `    group: ${g}`,
      `    title: ${q(strong())}`,
      `    summary: ${q(field())}`,
      "    required: true",
      ...(extra[id] || []),
      ...(fieldsOf[id] ? ["    fields:", ...fieldsOf[id]] : []),
    ]),
    "next_steps:",
    `  - {title: ${q(strong())}, page: align-business-priorities}`,
    "",
  ].join("\n"));

  // Evidence bodies: each raw HTML vector once as a block and once inline, the
  // Markdown tricks, and each dangerous URL in raw HTML attributes.
  // Many vectors load `x` or `1` (`<img src=x onerror=...>`). The site does
  // not publish a file without an extension (E0404), so those would be
  // refused rather than reach the browser; they link `x.png` and `1.png`
  // instead, which exist and fail to load as images just the same.
  const attached = (v) => v.replace(/(\b(?:src|href)\s*=\s*["']?)(x|1)(?=["'\s>\/])/gi, "$1$2.png");
  const bodies = [
    ...html.map((v) => `Raw HTML block:\n\n${attached(v)}\n\nAfter the block.\n`),
    ...html.map((v) => `Inline raw HTML: before ${attached(v)} after.\n`),
    ...md.map((v) => `Markdown:\n\n${attached(v)}\n\nAfter it.\n`),
    ...url.map((u) => {
      const a = u.replace(/"/g, "&quot;");
      return [
        `<a href="${a}">a href</a> <a href='${u.replace(/'/g, "&#39;")}'>a href single</a>`,
        `<img src="${a}" alt="img"> <iframe src="${a}"></iframe> <object data="${a}"></object> <embed src="${a}">`,
        `<form action="${a}"><button formaction="${a}">form</button></form>`,
        `<svg><a xlink:href="${a}" href="${a}"><text x="1" y="10">svg a</text></a></svg>`,
        `<meta http-equiv="refresh" content="0;url=${a}"> <base href="${a}">`,
        `<math href="${a}">math</math> <video poster="${a}"></video> <link rel="stylesheet" href="${a}">`,
        "",
      ].join("\n\n");
    }),
  ];
  // Dangerous links in summaries: inline Markdown. cutover check refuses the
  // ones it can tell are unsafe (those summaries are set aside); the
  // sanitiser must make the rest harmless.
  const summaries = [
    ...url.filter((u) => !/[\s<>()]/.test(u)).map((u) => `See [the plan](${u}) and ![chart](${u}).`),
    ...md.filter((v) => !v.includes("\n")),
  ];
  const summary = cursor(summaries);
  const W = Math.max(24, Math.ceil(bodies.length / ITEMS.length));
  const ids = Array.from({ length: W }, (_, i) => `w${String(i + 1).padStart(2, "0")}`);
  const crit = ["mission-critical", "business-critical", "standard"];
  let b = 0;
  ids.forEach((id, k) => {
    const dir = join(c, "workloads", id);
    const deps = k % 4 === 0 || k === 0 ? [] : [ids[k - 1]];
    if (k % 5 === 2 && k > 3) deps.push(ids[k - 3]);
    write(join(dir, "workload.yaml"), [
      `name: ${q(strong())}`,
      `owner: ${q(strong())}`,
      `criticality: ${crit[k % 3]}`,
      ...(k % 6 === 5 ? [] : [`release: ${releases[k % releases.length]}`]),
      ...(deps.length ? [`depends_on: [${deps.join(", ")}]`] : []),
      `summary: ${q(k % 2 ? summary() : field())}`,
      "assets:",
      `  - {name: ${q(field())}, kind: ${q(field())}, decommissioned_on: 2026-12-01}`,
      `  - {name: ${q(field())}}`,
      "",
    ].join("\n"));
    // Attachments with hostile file names, linked from documented_in.
    const files = [`notes/${k}.txt`, `notes/x"><img src=x onerror=alert(${1000 + k})>.txt`];
    // Vectors point at "x.png" and "1.png" (see `attached`); as files, raw HTML that links them checks out.
    for (const f of [...files, "x.png", "1.png"]) write(join(dir, f), "attachment\n");
    ITEMS.forEach(([item], n) => {
      const body = b < bodies.length ? bodies[b++] : `Plain evidence for ${item}.\n`;
      // Statuses that build: mostly validated, some waived, one not applicable.
      const mode = item === "domain-alignment" && k % 2 ? "na" : (k + n) % 7 === 3 ? "waived" : "validated";
      const fm = ["---"];
      if (mode === "na") {
        fm.push("status: not-applicable", `justification: ${q(field())}`);
      } else if (mode === "waived") {
        fm.push(
          "status: waived",
          "waiver:",
          `  approved_by: ${q(field())}`,
          "  approved_on: 2026-10-01",
          `  expires_on: ${k % 2 ? "2026-11-01" : "2027-01-31"}`,
          `  reason: ${q(field())}`,
          `  mitigation: ${q(field())}`,
        );
      } else {
        fm.push(
          "status: validated",
          "executed_on: 2026-11-10",
          `documented_in: [${q(files[n % 2])}, ${q("https://example.org/" + field())}]`,
          `validated_by: ${q(n === 5 ? business[k % 2] : n === 13 ? ciso[k % 2] : field())}`,
          "validated_on: 2026-11-20",
        );
      }
      if (mode !== "na") {
        if (item === "domain-alignment") fm.push(`domain: ${q(field())}`);
        if (item === "bcdr-validation") fm.push("last_restore_test: 2026-11-12");
        if (item === "data-classification") fm.push("classification: internal");
        if (item === "ciso-verification") {
          fm.push("risks:", `  - {id: ${q(field())}, description: ${q(field())}, mitigation: ${q(field())}, accepted: true}`);
        }
        if (item === "promote") {
          fm.push(
            "promoted_on: 2026-11-15",
            "cutover:",
            `  - {record: ${q(field())}, type: CNAME, from: ${q(field())}, to: ${q(field())}, ttl: 300}`,
          );
        }
      }
      fm.push("---");
      write(join(dir, `${item}.md`), fm.join("\n") + "\n" + body);
    });
  });

  // Free pages: hostile titles, and bodies with raw HTML; then one page per
  // Markdown trick, so that a trick cutover check refuses sets aside its own
  // page only.
  const pageBody = (from) =>
    html.slice(from, from + 40).map((v) => `${v}\n`).join("\n") +
    "\n" + url.filter((u) => !/[\s<>()]/.test(u)).map((u) => `<a href="${u.replace(/"/g, "&quot;")}">raw</a>`).join("\n") + "\n";
  const page = (pid, body) =>
    write(join(c, "pages", `${pid}.md`), `---\ntitle: ${q(strong())}\n---\n# ${field().replace(/\n/g, " ")}\n\n${body}`);
  for (const [i, pid] of ["about", "notes", "align-business-priorities"].entries()) page(pid, pageBody(i * 40));
  md.forEach((v, i) => page(`md-${String(i + 1).padStart(2, "0")}`, `${v}\n`));
  return { workloads: W, bodies: bodies.length };
}

function refusedPortfolio(root) {
  rmSync(root, { recursive: true, force: true });
  const c = join(root, "content");
  write(join(c, "site.yaml"), "title: Refused links\n");
  const dir = join(c, "workloads", "refused");
  write(join(dir, "workload.yaml"), "name: Refused\nowner: refused@example.org\ncriticality: standard\n");
  const expected = [];
  // documented_in: one entry per line.
  const fmLines = ["---", "status: documented", "executed_on: 2026-11-01", "documented_in:"];
  for (const u of url) {
    if (/[\n\r]/.test(u)) continue; // a YAML escape would do, but keep one entry per line
    fmLines.push(`  - ${q(u)}`);
    expected.push({ file: "content/workloads/refused/assess.md", line: fmLines.length, form: "documented_in", url: u });
  }
  fmLines.push("---");
  // The body: every form of Markdown link that CommonMark turns into a link.
  const body = [];
  const add = (form, u, textLine) => {
    body.push(textLine, "");
    expected.push({ file: "content/workloads/refused/architect.md", line: 0, bodyIndex: body.length - 2, form, url: u });
  };
  url.forEach((u, i) => {
    const plain = !/[\s\u0000-\u001f\u007f]/.test(u) && !u.startsWith("<") && balanced(u);
    const angled = !/[\n\r<>]/.test(u);
    if (plain) {
      add("link", u, `A [link](${u}) in text.`);
      add("image", u, `An ![image](${u}) in text.`);
      add("reference", u, `A [reference link][r${i}] in text.`);
      body.push(`[r${i}]: ${u}`, "");
    }
    if (angled) {
      add("link <>", u, `A [link](<${u}>) in text.`);
      add("image <>", u, `An ![image](<${u}>) in text.`);
    }
    if (/^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s\u0000-\u001f<>]*$/.test(u)) {
      add("autolink", u, `An autolink <${u}> in text.`);
    }
  });
  const architectFm = ["---", "status: in-progress", "---"];
  for (const e of expected) {
    if (e.bodyIndex !== undefined) {
      e.line = architectFm.length + 1 + e.bodyIndex;
      delete e.bodyIndex;
    }
  }
  write(join(dir, "assess.md"), fmLines.join("\n") + "\nThe links above must be refused.\n");
  write(join(dir, "architect.md"), architectFm.join("\n") + "\n" + body.join("\n"));
  write(join(root, "expected.json"), JSON.stringify(expected, null, 1) + "\n");
  return { expected: expected.length };
}

function balanced(s) {
  let depth = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

if (setAside) {
  setAsideRefused(join(out, "hostile"), JSON.parse(readFileSync(args[2], "utf8")));
  process.exit(0);
}

/**
 * Evidence bodies that `cutover check` refuses with an error (a raw HTML link
 * to a file that is not there, say) cannot be built, and a refusal is as safe
 * as a harmless page. Each such body is set aside: replaced by plain text, and
 * recorded with its errors in set-aside.json for the tests to check that every
 * error sits on a line of that body. Anything else with an error is a bug in
 * this generator, and stops it.
 */
function setAsideRefused(root, report) {
  const byFile = new Map();
  for (const d of report.diagnostics.filter((d) => d.severity === "error")) {
    if (!/^content\/(workloads\/[^/]+\/[^/]+\.md|pages\/[^/]+\.md|workloads\/[^/]+\/workload\.yaml)$/.test(d.file)) {
      throw new Error(`gen-xss: an error outside an evidence body, a page body or a summary: ${JSON.stringify(d)}`);
    }
    if (!byFile.has(d.file)) byFile.set(d.file, []);
    byFile.get(d.file).push(d);
  }
  const aside = [];
  for (const [file, diags] of byFile) {
    const text = readFileSync(join(root, file), "utf8");
    if (file.endsWith("/workload.yaml")) {
      aside.push(setAsideSummary(root, file, text, diags));
      continue;
    }
    const lines = text.split("\n");
    const close = lines.indexOf("---", 1); // 0-based index of the closing front-matter line
    for (const d of diags) {
      if (d.line <= close + 1) throw new Error(`gen-xss: an error in front matter: ${JSON.stringify(d)}`);
    }
    const bodyFirstLine = close + 2;
    aside.push({ file, bodyFirstLine, body: lines.slice(close + 1).join("\n"), diagnostics: diags });
    writeFileSync(join(root, file), lines.slice(0, close + 1).join("\n") + "\nThis body was set aside: cutover check refused it.\n");
  }
  writeFileSync(join(dirname(root), "set-aside.json"), JSON.stringify(aside, null, 1) + "\n");
  const kinds = (k) => aside.filter((a) => (a.kind || "body") === k).length;
  console.log(`gen-xss: set aside ${kinds("body")} bodies and ${kinds("summary")} summaries that cutover check refuses with errors`);
}

/** A workload.yaml may only be refused for its summary: that line is replaced. */
function setAsideSummary(root, file, text, diags) {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith("summary: "));
  for (const d of diags) {
    if (d.line !== at + 1) throw new Error(`gen-xss: an error in workload.yaml outside the summary: ${JSON.stringify(d)}`);
  }
  const body = lines[at];
  lines[at] = 'summary: "This summary was set aside: cutover check refused it."';
  writeFileSync(join(root, file), lines.join("\n"));
  return { file, kind: "summary", bodyFirstLine: at + 1, body, diagnostics: diags };
}

const h = hostilePortfolio(join(out, "hostile"));
const r = refusedPortfolio(join(out, "refused"));
const count = Object.values(corpus).reduce((n, l) => n + l.length, 0);
writeFileSync(join(out, "corpus.json"), JSON.stringify({ count, sections: Object.fromEntries(Object.entries(corpus).map(([k, v]) => [k, v.length])) }) + "\n");
console.log(
  `gen-xss: ${count} vectors (${Object.entries(corpus).map(([k, v]) => `${v.length} ${k}`).join(", ")}); ` +
    `hostile portfolio: ${h.workloads} workloads, ${h.bodies} hostile bodies; refused portfolio: ${r.expected} dangerous links`,
);
