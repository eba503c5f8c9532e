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
  let conversationId = null;
  let pending = false;
  let lastQuestion = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function api(path, options) {
    const headers = { "Content-Type": "application/json" };
    const key = sessionStorage.getItem("footnote-api-key");
    if (key) headers.Authorization = "Bearer " + key;
    const response = await fetch(path, { ...options, headers });
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = { error: "The server sent a reply that is not JSON (HTTP " + response.status + ")." };
    }
    if (response.status === 401) keyRow.hidden = false;
    if (!response.ok) throw new Error(body.error || "HTTP " + response.status);
    return body;
  }

  // The quote with the short answer marked: text nodes around one <mark>.
  function quoteWithAnswer(quote, short) {
    const block = el("blockquote", "quote");
    const at = short ? quote.indexOf(short) : -1;
    if (at < 0) {
      block.append(document.createTextNode(quote));
    } else {
      block.append(
        document.createTextNode(quote.slice(0, at)),
        el("mark", "short-answer", short),
        document.createTextNode(quote.slice(at + short.length))
      );
    }
    return block;
  }

  function citeButton(answer, citation) {
    const button = el("button", "cite", "[" + citation.n + "]");
    button.type = "button";
    button.setAttribute("aria-label", "Open source " + citation.n + ": " + citation.article_id);
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
    const quote = quoteWithAnswer(answer.answer || "", answer.short_answer);
    if (answer.citations.length) quote.append(document.createTextNode(" "), citeButton(answer, answer.citations[0]));
    card.append(quote);

    const sources = el("ol", "sources");
    sources.setAttribute("aria-label", "Sources");
    for (const c of answer.citations) {
      const item = el("li");
      const facts = [c.title, c.date].filter(Boolean).join(", ");
      item.append(citeButton(answer, c), document.createTextNode(" " + c.article_id + (facts ? " — " + facts : "")));
      sources.append(item);
    }
    card.append(sources);
    card.append(feedbackRow(answer));
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
    const at = citation.n === 1 && answer.answer ? citation.text.indexOf(answer.answer) : -1;
    if (at >= 0) {
      start = citation.start + at;
      end = start + answer.answer.length;
    }
    const path = "/api/articles/" + encodeURIComponent(citation.article_id) + "?start=" + start + "&end=" + end;
    try {
      const view = await api(path, { method: "GET" });
      document.getElementById("passage-title").textContent = "[" + citation.n + "] " + (view.title || view.article_id);
      const facts = [view.title ? view.article_id : null, view.date, "characters " + view.start + "–" + view.end].filter(Boolean);
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

  async function ask(question) {
    pending = true;
    document.getElementById("empty-hint")?.remove();
    const exchange = el("div", "exchange");
    exchange.append(el("p", "question", question));
    const thinking = el("p", "thinking", "Looking in the sources…");
    exchange.append(thinking);
    log.append(exchange);
    status.textContent = "";
    thinking.scrollIntoView({ block: "end" });
    try {
      const body = { question };
      if (conversationId) body.conversation_id = conversationId;
      const answer = await api("/api/ask", { method: "POST", body: JSON.stringify(body) });
      conversationId = answer.conversation_id;
      thinking.replaceWith(renderAnswer(answer));
    } catch (error) {
      thinking.replaceWith(el("p", "error", error.message));
      lastQuestion = question;
    } finally {
      pending = false;
      exchange.scrollIntoView({ block: "end" });
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || pending) return;
    input.value = "";
    input.focus();
    ask(question);
  });

  document.getElementById("new-conversation").addEventListener("click", () => {
    conversationId = null;
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
})();
