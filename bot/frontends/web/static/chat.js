// Footnote's chat page. Every piece of article or answer text goes into the page with
// textContent or createTextNode, never as HTML: a quoted "<script>" stays five characters.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const status = document.getElementById("status");
  const keyRow = document.getElementById("key-row");
  const keyInput = document.getElementById("api-key");
  const dialog = document.getElementById("passage");
  const footer = document.querySelector("footer");
  const submit = form.querySelector("button[type=submit]");
  const mode = document.getElementById("mode");
  // The conversation survives a reload of this tab: its id (the server keeps the context) and
  // the answers already shown, redrawn from their payloads.
  const STORED = "footnote-conversation";
  const KEPT_TURNS = 50;
  const UNREACHABLE = "Footnote's server could not be reached: it may be stopped or restarting, " +
    "or this device is offline. Your question is still in the box; press Enter to try again.";
  let conversation = restored();
  let pending = false;
  let lastQuestion = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function restored() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORED));
      if (saved && Array.isArray(saved.turns)) return saved;
    } catch (_) { /* nothing kept, or not readable: start afresh */ }
    return { id: null, turns: [] };
  }

  function keep() {
    try {
      sessionStorage.setItem(STORED, JSON.stringify(conversation));
    } catch (_) { /* storage full or off: the page still works, a reload starts afresh */ }
  }

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  // The server's error sentences are written for API users; the page words a missing key and
  // an unreachable server for the person in front of it.
  async function api(path, options) {
    const headers = { "Content-Type": "application/json" };
    const key = sessionStorage.getItem("footnote-api-key");
    if (key) headers.Authorization = "Bearer " + key;
    let response;
    try {
      response = await fetch(path, { ...options, headers });
    } catch (_) {
      throw new ApiError(UNREACHABLE, 0);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = { error: "The server sent an unexpected reply (HTTP " + response.status + "); try again in a moment." };
    }
    if (response.status === 401) {
      sessionStorage.removeItem("footnote-api-key");
      keyRow.hidden = false;
      keyInput.focus();
      throw new ApiError(key
        ? "That access key was not accepted. Check it with whoever runs this Footnote, and enter it below."
        : "This Footnote asks for an access key. Enter the key you were given below, and your question will be asked again.", 401);
    }
    if (!response.ok) throw new ApiError(body.error || "The server answered HTTP " + response.status + ".", response.status);
    return body;
  }

  // Where the quote sits in citation 1's article: the occurrence of the quote that holds the
  // API's span (a sentence can repeat in a passage), else its first occurrence.
  function quoteStart(answer) {
    const c = answer.citations[0];
    if (!c || !answer.answer) return null;
    let first = null;
    for (let at = c.text.indexOf(answer.answer); at >= 0; at = c.text.indexOf(answer.answer, at + 1)) {
      const start = c.start + at;
      if (first === null) first = start;
      if (holdsSpan(answer, start)) return start;
    }
    return first;
  }

  function holdsSpan(answer, quoteAt) {
    const span = answer.span;
    return Boolean(span) && quoteAt !== null && span.article_id === answer.citations[0].article_id &&
      span.start >= quoteAt && span.end <= quoteAt + answer.answer.length && span.start < span.end;
  }

  // The short answer's place in the quote: the span the API chose, not the first occurrence of
  // its words ("Monday" can come twice in one quote).
  function shortAnswerAt(answer) {
    const quoteAt = quoteStart(answer);
    if (holdsSpan(answer, quoteAt)) return [answer.span.start - quoteAt, answer.span.end - quoteAt];
    const at = answer.short_answer ? answer.answer.indexOf(answer.short_answer) : -1;
    return at < 0 ? null : [at, at + answer.short_answer.length];
  }

  function articleName(articleId) {
    return articleId.replace(/\.(txt|md|markdown|html?|jsonl?)$/i, "");
  }

  function readableDate(date) {
    const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(date || "");
    if (!iso) return date || null;
    const day = new Date(Date.UTC(+iso[1], +iso[2] - 1, +iso[3]));
    return day.toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  // A source as a reader names it: its title (else the article's name), outlet and date, or
  // "undated" when the article gives none.
  function sourceLabel(source) {
    const date = readableDate(source.date) || "undated";
    return [source.title || articleName(source.article_id), source.outlet, date].filter(Boolean).join(" · ");
  }

  // Scroll so `exchange` (else its answer, if both do not fit) is whole above the sticky input
  // bar; scrollIntoView would put its end at the window's bottom, under the bar.
  function reveal(exchange) {
    const room = footer.getBoundingClientRect().top - 8;
    const fits = exchange.getBoundingClientRect().height <= room - 8;
    const box = (fits ? exchange : exchange.lastElementChild).getBoundingClientRect();
    if (box.height > room - 8 || box.top < 8) window.scrollBy(0, box.top - 8);
    else if (box.bottom > room) window.scrollBy(0, box.bottom - room);
  }

  // The quote with the short answer marked: text nodes around one <mark>.
  function quoteWithAnswer(answer) {
    const block = el("blockquote", "quote");
    const quote = answer.answer || "";
    const at = quote ? shortAnswerAt(answer) : null;
    if (!at) {
      block.append(document.createTextNode(quote));
    } else {
      block.append(
        document.createTextNode(quote.slice(0, at[0])),
        el("mark", "short-answer", quote.slice(at[0], at[1])),
        document.createTextNode(quote.slice(at[1]))
      );
    }
    return block;
  }

  function citeButton(answer, citation) {
    const button = el("button", "cite", "[" + citation.n + "]");
    button.type = "button";
    button.setAttribute("aria-label", "Open source " + citation.n + ": " + sourceLabel(citation));
    button.addEventListener("click", () => openPassage(answer, citation));
    return button;
  }

  function renderAnswer(answer) {
    const card = el("article", "answer");
    if (answer.abstained) {
      card.classList.add("abstained");
      card.append(
        el("p", "abstained-title", "I couldn't find that in the sources."),
        el("p", "abstained-hint", "Nothing in the articles answers it, so nothing is cited. Try other words, or ask about something they cover.")
      );
      return card;
    }
    if (answer.short_answer) {
      const short = el("p", "short");
      short.append(document.createTextNode("Answer: "), el("strong", null, answer.short_answer));
      card.append(short);
    }
    const quote = quoteWithAnswer(answer);
    if (answer.citations.length) quote.append(document.createTextNode(" "), citeButton(answer, answer.citations[0]));
    card.append(quote);
    // Older reports that said otherwise, newest first, each quoted and cited.
    for (const older of answer.earlier || []) {
      const block = el("blockquote", "quote earlier");
      block.append(el("strong", null, "Earlier (" + (readableDate(older.date) || "undated") + "): "));
      block.append(document.createTextNode(older.answer));
      const cited = answer.citations[older.n - 1];
      if (cited) block.append(document.createTextNode(" "), citeButton(answer, cited));
      card.append(block);
    }

    const sources = el("ol", "sources");
    sources.setAttribute("aria-label", "Sources");
    for (const c of answer.citations) {
      const item = el("li");
      item.append(citeButton(answer, c), document.createTextNode(" " + sourceLabel(c)));
      sources.append(item);
    }
    card.append(sources);
    card.append(feedbackRow(answer));
    return card;
  }

  // A timeline: each report under its date (oldest first, "Undated" last), its quote cited by
  // every article that carried it, and those articles listed. Its sources open as an answer's do.
  function renderTimeline(timeline) {
    const card = el("article", "answer timeline");
    if (!timeline.found) {
      card.classList.add("abstained");
      card.append(
        el("p", "abstained-title", "I couldn't find anything about that in the sources."),
        el("p", "abstained-hint", "No article reports on it, so nothing is cited. Try other words for the topic.")
      );
      return card;
    }
    card.append(el("p", "short", "Timeline: " + timeline.topic));
    const entries = el("ol", "entries");
    entries.setAttribute("aria-label", "Reports, oldest first");
    for (const entry of timeline.entries) {
      const item = el("li", "entry");
      item.append(el("p", "when", entry.date ? readableDate(entry.date) : "Undated"));
      const quote = el("blockquote", "quote", entry.quote);
      for (const c of entry.sources) quote.append(document.createTextNode(" "), citeButton(null, c));
      item.append(quote);
      if (entry.outlets.length > 1) item.append(el("p", "outlets", "Reported by " + entry.outlets.join(", ")));
      const sources = el("ol", "sources");
      sources.setAttribute("aria-label", "Sources");
      for (const c of entry.sources) {
        const line = el("li");
        line.append(citeButton(null, c), document.createTextNode(" " + sourceLabel(c)));
        sources.append(line);
      }
      item.append(sources);
      entries.append(item);
    }
    card.append(entries);
    return card;
  }

  function feedbackRow(answer) {
    const row = el("div", "feedback");
    for (const [vote, label] of [["up", "Helpful"], ["down", "Not helpful"]]) {
      const button = el("button", "vote quiet", label);
      button.type = "button";
      button.dataset.vote = vote;
      button.addEventListener("click", async () => {
        try {
          await api("/api/feedback", { method: "POST", body: JSON.stringify({ answer_id: answer.answer_id, vote }) });
          row.replaceChildren(el("span", "thanks", "Thanks, noted."));
        } catch (error) {
          status.textContent = error.message;
        }
      });
      row.append(button);
    }
    return row;
  }

  async function openPassage(answer, citation) {
    // Citation 1 holds the quote: mark the quoted sentence itself; others mark their passage.
    let start = citation.start, end = citation.end;
    const at = answer && citation.n === 1 ? quoteStart(answer) : null;
    if (at !== null) {
      start = at;
      end = start + answer.answer.length;
    }
    const path = "/api/articles/" + encodeURIComponent(citation.article_id) + "?start=" + start + "&end=" + end;
    try {
      const view = await api(path, { method: "GET" });
      const name = articleName(view.article_id);
      document.getElementById("passage-title").textContent = "[" + citation.n + "] " + (view.title || name);
      const facts = [readableDate(view.date), view.title ? name : null].filter(Boolean);
      document.getElementById("passage-meta").textContent = facts.join(" · ");
      const text = document.getElementById("passage-text");
      text.replaceChildren(
        document.createTextNode((view.context_start > 0 ? "… " : "") + view.before),
        el("mark", "quoted", view.passage),
        document.createTextNode(view.after + (view.context_end < view.length ? " …" : ""))
      );
      dialog.showModal();
      text.querySelector("mark").scrollIntoView({ block: "center" });
    } catch (error) {
      status.textContent = "Could not open the source: " + error.message;
    }
  }

  function exchangeFor(question) {
    document.getElementById("empty-hint")?.remove();
    const exchange = el("div", "exchange");
    exchange.append(el("p", "question", question));
    log.append(exchange);
    return exchange;
  }

  function setPending(on) {
    pending = on;
    submit.disabled = on;
    form.setAttribute("aria-busy", String(on));
  }

  async function ask(question) {
    setPending(true);
    const exchange = exchangeFor(question);
    const thinking = el("p", "thinking", "Looking in the sources…");
    exchange.append(thinking);
    status.textContent = "";
    reveal(exchange);
    try {
      const body = { question };
      if (conversation.id) body.conversation_id = conversation.id;
      const answer = await api("/api/ask", { method: "POST", body: JSON.stringify(body) });
      thinking.replaceWith(renderAnswer(answer));
      conversation.id = answer.conversation_id;
      conversation.turns = [...conversation.turns, { question, answer }].slice(-KEPT_TURNS);
      keep();
    } catch (error) {
      thinking.replaceWith(el("p", "error", error.message));
      if (error.status === 401) lastQuestion = question;  // asked again once a key is given
      else if (!input.value.trim()) input.value = question;  // so Enter tries it again
    } finally {
      setPending(false);
      reveal(exchange);
    }
  }

  async function showTimeline(topic) {
    setPending(true);
    const exchange = exchangeFor(topic);
    const thinking = el("p", "thinking", "Looking for reports on it…");
    exchange.append(thinking);
    status.textContent = "";
    reveal(exchange);
    try {
      const timeline = await api("/api/timeline", { method: "POST", body: JSON.stringify({ topic }) });
      thinking.replaceWith(renderTimeline(timeline));
      conversation.turns = [...conversation.turns, { question: topic, timeline }].slice(-KEPT_TURNS);
      keep();
    } catch (error) {
      thinking.replaceWith(el("p", "error", error.message));
      if (!input.value.trim()) input.value = topic;
    } finally {
      setPending(false);
      reveal(exchange);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || pending) return;
    input.value = "";
    input.focus();
    if (mode.value === "timeline") showTimeline(question);
    else ask(question);
  });

  function placeholder() {
    input.placeholder = mode.value === "timeline"
      ? "Name a topic (the rail strikes) and press Enter"
      : "Ask a question and press Enter";
  }
  mode.addEventListener("change", () => { placeholder(); input.focus(); });
  placeholder();

  document.getElementById("new-conversation").addEventListener("click", () => {
    conversation = { id: null, turns: [] };
    sessionStorage.removeItem(STORED);
    log.replaceChildren(el("p", "hint", "New conversation: earlier questions no longer count as context."));
    input.focus();
  });

  keyRow.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("footnote-api-key", keyInput.value.trim());
    keyInput.value = "";
    keyRow.hidden = true;
    input.focus();
    if (lastQuestion) {
      const again = lastQuestion;
      lastQuestion = null;
      ask(again);
    }
  });

  document.getElementById("close-passage").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => input.focus());

  // Keyboard focus moving down the log stops above the input bar, whatever its height.
  new ResizeObserver(() => {
    document.documentElement.style.setProperty("--footer-height", footer.offsetHeight + "px");
  }).observe(footer);

  for (const turn of conversation.turns) {
    exchangeFor(turn.question).append(turn.timeline ? renderTimeline(turn.timeline) : renderAnswer(turn.answer));
  }
  if (conversation.turns.length) reveal(log.lastElementChild);
})();
