// How text becomes index terms, and how a typed query becomes lunr query syntax: the
// browser's half of plugins/palabre/stemming.py and searchindex.py, line for line. The
// index was built in Python; a query must become the same terms here, so any change on
// one side needs the same change on the other (tests/test_search_parity.py checks both).

const WORD = /[\p{L}\p{M}\p{N}]/u;
// Scripts written without spaces between words: indexed as overlapping character pairs.
const UNSEGMENTED = [
  [0x0e00, 0x0eff], // Thai, Lao
  [0x1000, 0x109f], // Myanmar
  [0x1780, 0x17ff], // Khmer
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x31f0, 0x31ff], // Katakana phonetic extensions
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
];
const FOLDED_MARKS = /[\u0300-\u036f\u064b-\u065f\u0670]/g;
const FOLDED_LETTERS = {
  "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ð": "d", "þ": "th",
  "ı": "i", "ς": "σ",
};
const FOLDED_LETTER = /[œæßøđłðþıς]/g;
const SYNTAX = "*:^~+-";
export const MAX_CLAUSES = 24;
export const SPLIT = "palabre-split";
export const VARIANTS = "palabre-variants";
export const FOLD = "palabre-fold";
const VARIANT_FLAG = "palabreVariant";

export function isWordChar(ch) {
  const code = ch.codePointAt(0);
  // Private use and compatibility forms sort differently in UTF-16: never part of a word.
  return !(code >= 0xe000 && code <= 0xffff) && WORD.test(ch);
}

function isUnsegmented(ch) {
  const code = ch.codePointAt(0);
  return UNSEGMENTED.some(([low, high]) => code >= low && code <= high);
}

function pushRun(run, result) {
  if (run.length === 1) {
    result.push(run);
    return;
  }
  let segment = "";
  let pairs = false;
  const flush = () => {
    if (!segment) return;
    if (!pairs || segment.length === 1) {
      result.push(segment);
    } else {
      for (let i = 0; i < segment.length - 1; i += 1) result.push(segment.slice(i, i + 2));
    }
    segment = "";
  };
  for (const ch of run) {
    const unsegmented = isUnsegmented(ch);
    if (segment && unsegmented !== pairs) flush();
    pairs = unsegmented;
    segment += ch;
  }
  flush();
}

/** The words of `text` as palabre-split makes them (lower case, NFKC, pairs). */
export function words(text) {
  const normal = text.normalize("NFKC").toLowerCase();
  const result = [];
  let run = "";
  for (const ch of normal) {
    if (!isWordChar(ch)) {
      if (run) pushRun(run, result);
      run = "";
    } else if (ch.length === 2) {
      // Beyond the BMP: JavaScript counts two units, Python one; alone, both agree.
      if (run) pushRun(run, result);
      run = "";
      result.push(ch);
    } else {
      run += ch;
    }
  }
  if (run) pushRun(run, result);
  return result;
}

/** `text` without accents: "Développement" -> "Developpement", "cœur" -> "coeur". */
export function fold(text) {
  return text
    .normalize("NFD")
    .replace(FOLDED_MARKS, "")
    .normalize("NFC")
    .replace(FOLDED_LETTER, (letter) => FOLDED_LETTERS[letter]);
}

/** Register palabre-split, palabre-variants and palabre-fold with `lunr`, once. */
export function registerPipeline(lunr) {
  const split = (token) => words(token.toString()).map((w) => new lunr.Token(w, token.metadata));
  const variants = (token) => {
    const text = token.toString().replace(/ë/g, "e").replace(/ï/g, "i");
    token.update(() => text);
    const folded = fold(text);
    if (folded === text) return token;
    const metadata = Object.assign({}, token.metadata, { [VARIANT_FLAG]: true });
    return [token, new lunr.Token(folded, metadata)];
  };
  const foldToken = (token, i, tokens) => {
    const folded = fold(token.toString());
    if (!folded) return undefined;
    if (token.metadata[VARIANT_FLAG] && i > 0 && fold(tokens[i - 1].toString()) === folded) {
      return undefined; // the accented original stemmed to the same term
    }
    return token.update(() => folded);
  };
  for (const [fn, label] of [[split, SPLIT], [variants, VARIANTS], [foldToken, FOLD]]) {
    if (!(label in lunr.Pipeline.registeredFunctions)) lunr.Pipeline.registerFunction(fn, label);
  }
}

function termClause(segment, presence, field) {
  const pieces = segment.split(/([~^])/);
  let body = pieces[0].replace(/\*+/g, "*");
  let edit = 0;
  let boost = 0;
  for (let i = 1; i + 1 < pieces.length; i += 2) {
    const digits = (/^[0-9]+/.exec(pieces[i + 1]) || [""])[0];
    if (!digits) continue;
    const value = parseInt(digits.slice(0, 3), 10);
    if (pieces[i] === "~") edit = Math.min(value, 2);
    else boost = value;
  }
  if (![...body].some(isWordChar)) return "";
  if (body.includes("*")) {
    body = fold(body);
    edit = 0;
  }
  return (
    presence + (field ? `${field}:` : "") + body + (edit ? `~${edit}` : "") +
    (boost > 1 ? `^${boost}` : "")
  );
}

/**
 * What a reader typed, as lunr query syntax that always parses: words, `field:word`,
 * leading `+` or `-`, `*` wildcards, `~1`/`~2`, `^n`. Anything else becomes a space.
 */
export function canonicalQuery(text, fields) {
  const normal = text.normalize("NFKC").toLowerCase();
  let cleaned = "";
  for (const ch of normal) cleaned += isWordChar(ch) || SYNTAX.includes(ch) ? ch : " ";
  const clauses = [];
  for (let chunk of cleaned.split(" ")) {
    if (!chunk) continue;
    const presence = "+-".includes(chunk[0]) ? chunk[0] : "";
    chunk = chunk.replace(/^[+-]+/, "");
    chunk.split(/[+-]+/).forEach((part, n) => {
      const segments = part.split(":");
      let field = "";
      if (segments.length > 1 && fields.includes(segments[0])) field = segments.shift();
      segments.forEach((segment, m) => {
        const first = n === 0 && m === 0;
        const clause = termClause(segment, first ? presence : "", m === 0 ? field : "");
        if (clause) clauses.push(clause);
      });
    });
  }
  return clauses.slice(0, MAX_CLAUSES).join(" ");
}
