// Lints every migration of a corpus with dbtool and with squawk, one file at a time (as squawk
// sees a file: no database, no earlier migrations), and lists where they disagree on the rules
// both have. Run by bench/squawk-compare.sh, which installs squawk-cli from npm.
//
//   node bench/squawk-compare.mjs DBTOOL SQUAWK CORPUS_DIR CONFIG OUT.md
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [dbtool, squawk, corpus, config, outFile] = process.argv.slice(2);

// dbtool's rule -> squawk's name for the same hazard (squawk 2.60 split its timeout rule).
const squawkName = {
  "require-timeout-settings": "require-lock-timeout",
  "prefer-timestamptz": "prefer-timestamp-tz",
};

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    return e.stdout; // both exit non-zero when they find something
  }
}

// The up section of a dbtool migration, other lines blanked so line numbers stay.
function upOnly(text) {
  let inUp = false;
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("-- migrate:up")) { inUp = true; return ""; }
      if (line.startsWith("-- migrate:down")) { inUp = false; return ""; }
      return inUp ? line : "";
    })
    .join("\n");
}

const work = mkdtempSync(join(tmpdir(), "squawk-compare-"));
const rules = JSON.parse(run(dbtool, ["migrate", "lint", "--rules", "--format", "json", "--config", config]))
  .rules.map((r) => r.rule);
const files = readdirSync(corpus).filter((f) => f.endsWith(".sql")).sort();
const rows = new Map(); // rule -> {dbtool, squawk, both}
const disagreements = [];
const squawkOnlyRules = new Map();
for (const file of files) {
  const path = join(corpus, file);
  const text = readFileSync(path, "utf8");
  const transactional = !text.split("\n")[0].includes("transaction:false");
  const ours = JSON.parse(run(dbtool, ["migrate", "lint", "--offline", "--format", "json",
    "--config", config, "--migrations-dir", corpus, path])).findings;
  const upFile = join(work, file);
  writeFileSync(upFile, upOnly(text));
  const theirs = JSON.parse(run(squawk, ["--reporter", "json",
    ...(transactional ? ["--assume-in-transaction"] : []), upFile]) || "[]");
  const key = (rule, line) => `${rule}@${line}`;
  const ourSet = new Map(ours.map((f) => [key(squawkName[f.rule] ?? f.rule, f.line), f]));
  const theirSet = new Map(theirs.map((f) => [key(f.rule_name, f.line + 1), f]));
  for (const rule of rules) {
    const name = squawkName[rule] ?? rule;
    const row = rows.get(rule) ?? { dbtool: 0, squawk: 0, both: 0 };
    const lines = new Set([...ourSet.keys(), ...theirSet.keys()].filter((k) => k.startsWith(name + "@")));
    for (const k of lines) {
      const a = ourSet.get(k), b = theirSet.get(k);
      if (a) row.dbtool++;
      if (b) row.squawk++;
      if (a && b) row.both++;
      else disagreements.push({ file, line: Number(k.split("@")[1]), rule, by: a ? "dbtool" : "squawk",
        message: a ? a.message : b.message });
    }
    rows.set(rule, row);
  }
  for (const f of theirs) {
    if (!rules.some((r) => (squawkName[r] ?? r) === f.rule_name)) {
      squawkOnlyRules.set(f.rule_name, (squawkOnlyRules.get(f.rule_name) ?? 0) + 1);
    }
  }
}

const version = run(squawk, ["--version"]).trim();
let md = `# dbtool migrate lint and ${version}, side by side\n\n`;
md += `${files.length} migrations of \`${corpus}\`, each linted alone and offline by both tools `;
md += `(up sections only; squawk with \`--assume-in-transaction\` except for transaction:false files). `;
md += `A finding is the same when both name the same rule on the same line.\n\n`;
md += "| rule | dbtool | squawk | same | disagree |\n|---|---|---|---|---|\n";
for (const [rule, r] of rows) {
  if (r.dbtool + r.squawk === 0) continue;
  const name = squawkName[rule] ? `${rule} (squawk: ${squawkName[rule]})` : rule;
  md += `| ${name} | ${r.dbtool} | ${r.squawk} | ${r.both} | ${r.dbtool + r.squawk - 2 * r.both} |\n`;
}
md += `\n## Every disagreement (${disagreements.length})\n\n| file:line | rule | only | message |\n|---|---|---|---|\n`;
for (const d of disagreements) {
  md += `| ${d.file}:${d.line} | ${d.rule} | ${d.by} | ${d.message.replace(/\|/g, "\\|")} |\n`;
}
md += `\n## squawk rules dbtool does not have\n\n`;
for (const [rule, n] of [...squawkOnlyRules].sort()) md += `- ${rule}: ${n}\n`;
writeFileSync(outFile, md);
console.log(`${files.length} files, ${disagreements.length} disagreements; written to ${outFile}`);
