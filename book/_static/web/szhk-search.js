/* Chinese search queries.
 *
 * The search index is built with jieba (html_search_language: zh), which cuts 北部都会区 into 北部 + 都会区.
 * Sphinx's searchtools.js would look the whole query up as one word and find nothing. It uses a global
 * splitQuery when one exists, so this one, loaded before it, cuts each run of Chinese characters by
 * longest match against the index's own words, as jieba cut the text.
 */
var splitQuery = (query) => {
  const words = query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter((word) => word);
  const index = typeof Search !== "undefined" ? Search._index : null;
  if (!index) return words;
  const has = Object.prototype.hasOwnProperty;
  const known = (word) => has.call(index.terms, word) || has.call(index.titleterms, word);
  const terms = [];
  for (const word of words) {
    if (known(word) || !/\p{Script=Han}/u.test(word)) {
      terms.push(word);
      continue;
    }
    const chars = Array.from(word);
    let unknown = "";  // consecutive characters that start no word of the index
    const flushUnknown = () => {
      // The index holds no one-character words (jieba's 的, 与 …): one such character is left out, as
      // requiring it would find nothing; a longer unknown run is kept, so that it rightly finds nothing.
      if (Array.from(unknown).length > 1) terms.push(unknown);
      unknown = "";
    };
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      while (end > start + 1 && !known(chars.slice(start, end).join(""))) end -= 1;
      const piece = chars.slice(start, end).join("");
      if (known(piece)) {
        flushUnknown();
        terms.push(piece);
      } else {
        unknown += piece;
      }
      start = end;
    }
    flushUnknown();
  }
  return terms.length ? terms : words;
};
