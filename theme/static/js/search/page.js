// The search page: results as you type, filters, the state in the URL, keyboard use.
// Every text from the index goes in with textContent or text nodes, never as HTML; every
// word shown to readers comes from the template's data-* attributes (translated).

import { SearchEngine } from "./engine.js";

const PAGE_SIZE = 10;
const DEBOUNCE_MS = 200;
const FILTERS = ["discussion", "week", "language"];

function debounce(fn, delay) {
  let timer = 0;
  return (...args) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), delay);
  };
}

async function fetchJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  return response.json();
}

/** Append `text` to `parent`, wrapping in <mark> the words whose terms were matched. */
function appendHighlighted(parent, text, pipeline, matched) {
  if (!matched.size) {
    parent.append(text);
    return;
  }
  const word = /[\p{L}\p{M}\p{N}]+/gu;
  let last = 0;
  for (const found of text.matchAll(word)) {
    const terms = pipeline.runString(found[0].toLowerCase());
    if (!terms.some((term) => matched.has(term))) continue;
    parent.append(text.slice(last, found.index));
    const mark = document.createElement("mark");
    mark.textContent = found[0];
    parent.append(mark);
    last = found.index + found[0].length;
  }
  parent.append(text.slice(last));
}

function element(name, className, attributes = {}) {
  const node = document.createElement(name);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

class SearchPage {
  constructor(root, lunr) {
    this.root = root;
    this.form = root.querySelector("[data-search-form]");
    this.input = this.form.elements.q;
    this.status = root.querySelector("[data-search-status]");
    this.list = root.querySelector("[data-search-results]");
    this.more = root.querySelector("[data-search-more]");
    this.text = root.querySelector("[data-search-text]").dataset;
    const siteRoot = new URL(root.dataset.siteRoot, window.location.href);
    this.pageRoot = new URL(root.dataset.pagePrefix, siteRoot);
    this.engine = new SearchEngine({
      lunr,
      indexRoot: new URL(root.dataset.indexRoot, window.location.href).href,
      fetchJson,
    });
    this.dates = new Intl.DateTimeFormat(this.text.dateLocale || undefined, {
      dateStyle: "long",
      timeZone: "UTC",
    });
    this.names = {
      discussion: this.optionNames("discussion", (option) => option.value),
      language: this.optionNames("language", (option) => option.dataset.code),
    };
    // Without a choice in the address, the reader's language (when anything is written
    // in it); "all" searches every language.
    this.defaultLanguage = this.form.elements.language.dataset.default || "";
    this.generation = 0;
    this.hits = [];
    this.shown = 0;
    this.pushNext = true; // the first change after a committed state gets its own entry
  }

  optionNames(name, keyOf) {
    const names = new Map();
    for (const option of this.form.elements[name].options) {
      const key = keyOf(option);
      if (key) names.set(key, option);
    }
    return names;
  }

  /** The language filter for the engine: a code, or "" for every language. */
  language() {
    const value = this.form.elements.language.value;
    if (value === "all") return "";
    return value || this.defaultLanguage;
  }

  start() {
    this.root.querySelector("[data-search-nojs]").hidden = true;
    this.form.hidden = false;
    const typed = debounce(() => this.update("type"), DEBOUNCE_MS);
    this.input.addEventListener("input", typed);
    for (const name of FILTERS) {
      this.form.elements[name].addEventListener("change", () => this.update("commit"));
    }
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.update("commit");
    });
    this.more.addEventListener("click", () => this.showMore(true));
    this.root.addEventListener("keydown", (event) => this.onKey(event));
    window.addEventListener("popstate", () => this.restore());
    this.restore();
    if (!this.input.value) this.input.focus();
  }

  /** Form values from the URL, then search (back and forward, reload, shared links). */
  restore() {
    const params = new URLSearchParams(window.location.search);
    this.input.value = params.get("q") || "";
    for (const name of FILTERS) {
      const select = this.form.elements[name];
      const value = params.get(name) || "";
      select.value = [...select.options].some((option) => option.value === value) ? value : "";
    }
    this.pushNext = true;
    this.run();
  }

  state() {
    const params = new URLSearchParams();
    const q = this.input.value.trim();
    if (q) params.set("q", q);
    for (const name of FILTERS) {
      const value = this.form.elements[name].value;
      if (value) params.set(name, value);
    }
    return params.toString();
  }

  /** Keep the URL in step: typing replaces the entry it started, a commit adds one. */
  update(kind) {
    const query = this.state();
    const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
    if (url !== `${window.location.pathname}${window.location.search}`) {
      if (kind === "commit" || this.pushNext) window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    }
    this.pushNext = kind === "commit";
    this.run();
  }

  async run() {
    const generation = ++this.generation;
    const text = this.input.value.trim();
    const filters = {
      discussion: this.form.elements.discussion.value,
      week: Number(this.form.elements.week.value) || 0,
      language: this.language(),
    };
    if (!text) {
      this.clear("");
      return;
    }
    this.root.setAttribute("aria-busy", "true");
    let result;
    try {
      result = await this.engine.search(text, filters);
    } catch (error) {
      if (generation === this.generation) this.clear(this.text.error);
      return;
    } finally {
      if (generation === this.generation) this.root.removeAttribute("aria-busy");
    }
    if (generation !== this.generation) return; // a newer search is on its way
    if (result.message) {
      this.clear(this.text[result.message]);
      return;
    }
    this.hits = result.hits;
    this.shown = 0;
    this.list.replaceChildren();
    await this.showMore(false, generation);
    if (generation !== this.generation) return;
    const count = this.hits.length;
    this.status.textContent =
      count === 0 ? this.text.none : count === 1 ? this.text.one : this.text.many.replace("{n}", count.toLocaleString(this.text.dateLocale || undefined));
  }

  clear(message) {
    this.hits = [];
    this.shown = 0;
    this.list.replaceChildren();
    this.more.hidden = true;
    this.status.textContent = message;
  }

  async showMore(focusFirst, generation = this.generation) {
    const batch = this.hits.slice(this.shown, this.shown + PAGE_SIZE);
    let details;
    try {
      details = await Promise.all(batch.map((hit) => this.engine.details(hit)));
    } catch (error) {
      if (generation === this.generation) this.clear(this.text.error);
      return;
    }
    if (generation !== this.generation) return;
    const manifest = await this.engine.manifest();
    const items = batch.map((hit, n) => this.item(hit, details[n], manifest));
    this.list.append(...items);
    this.shown += batch.length;
    this.more.hidden = this.shown >= this.hits.length;
    if (focusFirst && items.length) items[0].querySelector("a").focus();
  }

  item(hit, doc, manifest) {
    const language = manifest.languages.find((entry) => entry.code === hit.language);
    const matched = new Set(hit.terms);
    const item = element("li", "search-result", { lang: hit.language });
    const heading = element("h2", "search-result__title");
    const link = element("a", "", { href: new URL(doc.url, this.pageRoot).href });
    appendHighlighted(link, doc.title, language.pipelineObject, matched);
    heading.append(link);
    item.append(heading);

    const ui = { lang: document.documentElement.lang };
    if (doc.original) item.append(this.original(doc.original));
    if (doc.author) {
      const who = element("p", "search-result__who", ui);
      const author = element("bdi", "", { lang: hit.language });
      appendHighlighted(author, doc.author, language.pipelineObject, matched);
      who.append(author);
      for (const extra of [doc.organisation, doc.country]) {
        if (!extra) continue;
        const part = element("bdi", "search-result__muted", { lang: hit.language });
        appendHighlighted(part, extra, language.pipelineObject, matched);
        who.append(" · ", part);
      }
      item.append(who);
    }

    const where = element("p", "search-result__where meta", ui);
    const discussion = this.names.discussion.get(doc.discussion);
    const parts = [];
    if (discussion) {
      const name = element("span", "", discussion.lang ? { lang: discussion.lang } : {});
      name.textContent = discussion.textContent;
      parts.push(name);
    }
    if (doc.kind === "call") parts.push(this.text.call);
    else if (doc.kind === "summary") parts.push(this.text.summary);
    else parts.push(this.text.week.replace("{n}", doc.week));
    const languageName = this.names.language.get(hit.language);
    parts.push(languageName ? languageName.textContent : hit.language);
    if (doc.date) {
      const time = element("time", "", { datetime: doc.date });
      time.textContent = this.dates.format(new Date(`${doc.date}T00:00:00Z`));
      parts.push(time);
    }
    parts.forEach((part, n) => where.append(...(n ? [" · ", part] : [part])));
    item.append(where);

    if (doc.excerpt) {
      const excerpt = element("p", "search-result__excerpt");
      appendHighlighted(excerpt, doc.excerpt, language.pipelineObject, matched);
      item.append(excerpt);
    }
    return item;
  }

  /** A translation's note: marked as one, naming its original with a link to it. */
  original(original) {
    const note = element("p", "search-result__original", { lang: document.documentElement.lang });
    const option = this.names.language.get(original.language);
    const name = option ? option.textContent.trim() : original.language;
    const words = original.machine ? this.text.machineTranslation : this.text.translation;
    const link = element("a", "", {
      href: new URL(original.url, this.pageRoot).href,
      hreflang: original.language,
      lang: original.language,
      dir: "auto",
    });
    link.textContent = original.title;
    note.append(words.replace("{language}", name), " ", link);
    return note;
  }

  /** Arrow keys move between the box and the results; Escape goes back to the box. */
  onKey(event) {
    const links = [...this.list.querySelectorAll(".search-result__title a")];
    const position = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && (event.target === this.input || position >= 0)) {
      const next = links[position + 1];
      if (next) {
        event.preventDefault();
        next.focus();
      }
    } else if (event.key === "ArrowUp" && position >= 0) {
      event.preventDefault();
      (position > 0 ? links[position - 1] : this.input).focus();
    } else if (event.key === "Escape" && position >= 0) {
      event.preventDefault();
      this.input.focus();
    }
  }
}

const root = document.querySelector("[data-search]");
if (root && window.lunr) new SearchPage(root, window.lunr).start();
