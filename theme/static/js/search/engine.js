// The search engine: loads only the shards a query needs, rebuilds a partial lunr index
// from them and lets lunr.js score it, which gives exactly what the whole index would
// (see plugins/palabre/shards.py for the file format and why). No DOM here: the page
// (page.js) and the parity test (tests/js/parity.js) both use it.

import { canonicalQuery, registerPipeline } from "./text.js";

// A fuzzy term (~) or a wildcard with nothing before it can match any term, so it needs
// every shard of a language: refused beyond this many shards, with a friendly message.
export const MAX_SHARDS = 24;

function pad(number) {
  return String(number).padStart(3, "0");
}

/** Index of the shard whose range holds `term`, or -1 when it sorts before them all. */
function shardOf(shards, term) {
  let low = 0;
  let high = shards.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (shards[middle][0] <= term) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/** Parse `canonical` for `fields`, dropping clauses the pipeline empties (stop words). */
export function parseQuery(lunr, canonical, fields, pipeline) {
  const query = new lunr.Query(fields);
  new lunr.QueryParser(canonical, query).parse();
  query.clauses = query.clauses.filter(
    (clause) =>
      !clause.usePipeline || pipeline.runString(clause.term, { fields: clause.fields }).length > 0,
  );
  return query;
}

/** Run a parsed query on an index: [{ref, score, terms}] as lunr ranks them. */
export function runQuery(index, query) {
  return index
    .query((q) => {
      q.clauses = query.clauses;
    })
    .map((result) => ({
      ref: Number(result.ref),
      score: result.score,
      terms: Object.keys(result.matchData.metadata).sort(),
    }));
}

/** Where each ref belongs: its discussion number and week, from the manifest's runs. */
export function groupsOf(language) {
  const runs = [];
  let start = 0;
  for (const [discussion, week, count] of language.groups) {
    runs.push({ discussion, week, start, end: start + count });
    start += count;
  }
  return runs;
}

export function placeOf(runs, ref) {
  return runs.find((run) => ref >= run.start && ref < run.end);
}

/** Merge per-language results: best first, ties by language order then ref. */
export function merge(lists) {
  const hits = [];
  lists.forEach((list, order) => list.forEach((hit) => hits.push({ ...hit, order })));
  hits.sort((a, b) => b.score - a.score || a.order - b.order || a.ref - b.ref);
  return hits.map(({ order, ...hit }) => hit);
}

class TooBroad extends Error {}

/**
 * The search itself, whatever the index: `indexFor(language, query, slug)` gives a lunr
 * index for one language (the whole one, or a partial one holding the query's shards).
 * Same steps as searchindex.search in Python.
 */
export async function searchWith(lunr, manifest, text, filters, indexFor) {
  const canonical = canonicalQuery(text, manifest.fields);
  if (!canonical) return { hits: [], message: "empty" };
  const slug = filters.discussion || "";
  const discussionNumber = slug ? manifest.discussions.indexOf(slug) : -1;
  let searched = false;
  const lists = [];
  for (const language of manifest.languages) {
    if (filters.language && language.code !== filters.language) continue;
    const pipeline = language.pipelineObject || lunr.Pipeline.load(language.pipeline);
    const runs = language.runs || groupsOf(language);
    const query = parseQuery(lunr, canonical, manifest.fields, pipeline);
    if (!query.clauses.length) continue; // only stop words in this language
    searched = true;
    if (slug && !runs.some((run) => run.discussion === discussionNumber)) continue;
    const index = await indexFor(language, query, slug);
    const hits = [];
    for (const result of runQuery(index, query)) {
      const run = placeOf(runs, result.ref);
      if (slug && run.discussion !== discussionNumber) continue;
      if (filters.week && run.week !== filters.week) continue;
      hits.push({ language: language.code, ...result });
    }
    lists.push(hits);
  }
  return { hits: merge(lists), message: searched ? "" : "stopwords" };
}

export class SearchEngine {
  /**
   * @param {object} options
   * @param {object} options.lunr lunr.js, with lunr-languages' stemmers registered
   * @param {string} options.indexRoot URL of the search/ folder, ending in "/"
   * @param {(url: string) => Promise<any>} options.fetchJson
   */
  constructor({ lunr, indexRoot, fetchJson, maxShards = MAX_SHARDS }) {
    registerPipeline(lunr);
    this.lunr = lunr;
    this.indexRoot = indexRoot;
    this.fetchJson = fetchJson;
    this.maxShards = maxShards;
    this.files = new Map();
    this.manifestPromise = null;
  }

  load(path) {
    if (!this.files.has(path)) {
      const promise = this.fetchJson(this.indexRoot + path);
      promise.catch(() => this.files.delete(path)); // a failed fetch may be retried
      this.files.set(path, promise);
    }
    return this.files.get(path);
  }

  async manifest() {
    if (!this.manifestPromise) {
      this.manifestPromise = this.load("manifest.json").then((manifest) => {
        for (const language of manifest.languages) {
          language.pipelineObject = this.lunr.Pipeline.load(language.pipeline);
          language.runs = groupsOf(language);
        }
        return manifest;
      });
    }
    return this.manifestPromise;
  }

  /** Shard numbers a query needs in one language, or null when it needs too many. */
  neededShards(language, query) {
    const shards = language.shards;
    const needed = new Set();
    if (!shards.length) return [];
    const everything = () => shards.forEach((_, n) => needed.add(n));
    for (const clause of query.clauses) {
      if (!clause.usePipeline) {
        const prefix = clause.term.slice(0, clause.term.indexOf("*"));
        if (!prefix) {
          everything();
          continue;
        }
        let n = Math.max(shardOf(shards, prefix), 0);
        needed.add(n);
        while (n + 1 < shards.length && shards[n + 1][0].startsWith(prefix)) needed.add(++n);
        continue;
      }
      const terms = language.pipelineObject.runString(clause.term, { fields: clause.fields });
      for (const term of terms) {
        if (clause.editDistance) {
          everything();
        } else {
          const n = shardOf(shards, term);
          if (n >= 0) needed.add(n);
        }
      }
    }
    return needed.size > this.maxShards ? null : [...needed].sort((a, b) => a - b);
  }

  /** A lunr index holding the given shards, for every document or one discussion's. */
  async partialIndex(manifest, language, numbers, slug, negated) {
    const lunr = this.lunr;
    const code = language.code;
    const loaded = await Promise.all(
      numbers.map((n) =>
        slug
          ? Promise.all([this.load(`${code}/terms-${pad(n)}.json`), this.load(`${code}/${slug}/shard-${pad(n)}.json`)])
            .then(([terms, part]) => ({ terms, postings: part.postings }))
          : this.load(`${code}/shard-${pad(n)}.json`),
      ),
    );
    const fields = manifest.fields;
    const invertedIndex = {};
    const vectors = new Map();
    const allTerms = [];
    loaded.forEach((shard, position) => {
      const offset = language.shards[numbers[position]][1];
      shard.terms.forEach((term, n) => {
        const posting = { _index: offset + n };
        const row = shard.postings[n];
        fields.forEach((field, f) => {
          const documents = {};
          const flat = row ? row[f] : [];
          let ref = 0;
          for (let i = 0; i < flat.length; i += 2) {
            ref += flat[i];
            documents[ref] = {};
            const key = `${field}/${ref}`;
            if (!vectors.has(key)) vectors.set(key, []);
            vectors.get(key).push(offset + n, flat[i + 1] / 1000);
          }
          posting[field] = documents;
        });
        invertedIndex[term] = posting;
        allTerms.push(term);
      });
    });
    const fieldVectors = {};
    if (negated) {
      // Every document in scope is a candidate: give each field an entry, even empty.
      const runs = slug ? language.runs.filter((run) => manifest.discussions[run.discussion] === slug) : language.runs;
      for (const run of runs) {
        for (let ref = run.start; ref < run.end; ref += 1) {
          for (const field of fields) fieldVectors[`${field}/${ref}`] = new lunr.Vector([]);
        }
      }
    }
    for (const [key, elements] of vectors) fieldVectors[key] = new lunr.Vector(elements);
    return new lunr.Index({
      invertedIndex,
      fieldVectors,
      tokenSet: lunr.TokenSet.fromArray(allTerms),
      fields,
      pipeline: language.pipelineObject,
    });
  }

  /**
   * Search: {hits: [{language, ref, score, terms}], message} where message is "" or
   * "empty" (no word), "stopwords" (only common words) or "broad" (needs too much).
   * Filters: {discussion: slug, week: number, language: code}, each optional.
   */
  async search(text, filters = {}) {
    const manifest = await this.manifest();
    try {
      return await searchWith(this.lunr, manifest, text, filters, async (language, query, slug) => {
        const numbers = this.neededShards(language, query);
        if (numbers === null) throw new TooBroad();
        return this.partialIndex(manifest, language, numbers, slug, query.isNegated());
      });
    } catch (error) {
      if (error instanceof TooBroad) return { hits: [], message: "broad" };
      throw error;
    }
  }

  /**
   * What a result shows: {kind, url, title, author, organisation, country, date, excerpt,
   * discussion, week, original}; `original` is null, or for a translation
   * {language, url, title, machine}.
   */
  async details(hit) {
    const manifest = await this.manifest();
    const language = manifest.languages.find((entry) => entry.code === hit.language);
    const chunk = await this.load(`${hit.language}/docs-${pad(Math.floor(hit.ref / manifest.chunk))}.json`);
    const [kind, url, title, author, organisation, country, date, excerpt, translated] =
      chunk[hit.ref % manifest.chunk];
    const run = placeOf(language.runs, hit.ref);
    const original = translated
      ? { language: translated[0], url: translated[1], title: translated[2], machine: Boolean(translated[3]) }
      : null;
    return {
      kind, url, title, author, organisation, country, date, excerpt, original,
      discussion: manifest.discussions[run.discussion], week: run.week,
    };
  }
}
