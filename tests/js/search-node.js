// Runs the site's own search code in Node, on a built site, for the parity test and the
// benchmark. Reads one JSON request on stdin, writes one JSON answer on stdout:
//
//   {"site": "<built site folder>", "unsplit": {"fr": "<lunr JSON file>", ...},
//    "queries": [{"text": "...", "filters": {...}}], "words": {"fr": ["..."]},
//    "canonical": ["..."], "maxShards": 24}
//
// -> {"words": {"fr": [[terms of word 1], ...]}, "canonical": ["..."],
//     "unsplit": [outcome, ...], "sharded": [outcome + {"fetched": [paths]}, ...]}
//
// lunr.js and lunr-languages are the copies in the built site, as a browser gets them.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { SearchEngine, searchWith } from "../../theme/static/js/search/engine.js";
import { canonicalQuery, registerPipeline } from "../../theme/static/js/search/text.js";

const request = JSON.parse(readFileSync(0, "utf8"));
const site = request.site;
const vendor = path.join(site, "theme", "js", "vendor");
const require = createRequire(import.meta.url);
const lunr = require(path.join(vendor, "lunr.min.js"));
require(path.join(vendor, "lunr.stemmer.support.min.js"))(lunr);
for (const code of ["fr", "es"]) {
  const file = path.join(vendor, `lunr.${code}.min.js`);
  if (existsSync(file)) require(file)(lunr); // copied only when the site has that language
}
registerPipeline(lunr);

const manifestText = readFileSync(path.join(site, "search", "manifest.json"), "utf8");
const answer = { words: {}, canonical: [], unsplit: [], sharded: [] };

for (const [code, list] of Object.entries(request.words || {})) {
  const manifest = JSON.parse(manifestText);
  const language = manifest.languages.find((entry) => entry.code === code);
  const pipeline = lunr.Pipeline.load(language.pipeline);
  answer.words[code] = list.map((word) => pipeline.runString(word.toLowerCase()));
}

const fields = JSON.parse(manifestText).fields;
answer.canonical = (request.canonical || []).map((text) => canonicalQuery(text, fields));

function outcome(result) {
  return {
    message: result.message,
    hits: result.hits.map((hit) => [hit.language, hit.ref, hit.score, hit.terms]),
  };
}

// The whole index of each language, loaded by lunr.js itself.
if (request.unsplit) {
  const manifest = JSON.parse(manifestText);
  const whole = {};
  for (const [code, file] of Object.entries(request.unsplit)) {
    whole[code] = lunr.Index.load(JSON.parse(readFileSync(file, "utf8")));
  }
  for (const { text, filters } of request.queries) {
    try {
      const result = await searchWith(lunr, manifest, text, filters || {}, async (language) => whole[language.code]);
      answer.unsplit.push(outcome(result));
    } catch (error) {
      answer.unsplit.push({ error: String(error) });
    }
  }
}

// The shards, loaded as the search page loads them; a fresh engine per query, so that
// "fetched" is what a first query costs.
for (const { text, filters } of request.queries) {
  const fetched = [];
  const engine = new SearchEngine({
    lunr,
    indexRoot: "",
    maxShards: request.maxShards,
    fetchJson: async (file) => {
      fetched.push(file);
      return JSON.parse(readFileSync(path.join(site, "search", file), "utf8"));
    },
  });
  try {
    const result = await engine.search(text, filters || {});
    const shown = [];
    for (const hit of result.hits.slice(0, request.details || 0)) shown.push(await engine.details(hit));
    answer.sharded.push({ ...outcome(result), fetched, shown });
  } catch (error) {
    answer.sharded.push({ error: String(error), fetched });
  }
}

process.stdout.write(JSON.stringify(answer));
