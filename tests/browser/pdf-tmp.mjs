import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless"] });
const p = await b.newPage();
await p.emulateMedia({ media: "print" });
for (const [n, rel] of [["dashboard", "index.html"], ["report", "workloads/payroll/index.html"], ["release", "releases/wave-2/index.html"], ["security", "security/index.html"]]) {
  await p.goto(pathToFileURL("/tmp/sample-site/" + rel).href);
  await p.pdf({ path: `/tmp/pdf/${n}.pdf`, format: "A4", printBackground: true });
}
await b.close();
