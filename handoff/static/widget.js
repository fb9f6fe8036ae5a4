/*
 * Toko Nusa chat widget. Embed with one tag:
 *   <script src="https://HOST/static/widget.js" data-gateway="https://HOST" defer></script>
 * Speaks the /ws/chat protocol (docs/widget-protocol.md). Everything the customer, bot or
 * agent wrote is rendered with textContent, never as HTML.
 */
(() => {
  "use strict";
  if (window.__tokoNusaChat) return; // the tag may be pasted twice
  window.__tokoNusaChat = true;

  const script = document.currentScript;
  const gateway = (script.dataset.gateway || new URL(script.src).origin).replace(/\/$/, "");
  const STORE_KEY = "tokonusa.chat";
  const OUTBOX_KEY = "tokonusa.chat.outbox";
  const PING_MS = 25000;
  const TYPING_SHOW_MS = 5000;
  const TYPING_SEND_MS = 3000;
  const RESEND_CAP_MS = 30000; // longest wait between re-sends the server could not store
  const MAX_CHARS = /* MAX_MESSAGE_CHARS */ 4000; // the server's limit, filled in when served
  const COUNTER_FROM = Math.floor(MAX_CHARS * 0.9); // the counter shows from here on
  // The largest photo and video in bytes (the server's settings, filled in when served): a
  // larger file is refused here, before a slow upload the server would refuse anyway.
  const MAX_BYTES = /* ATTACHMENT_MAX_BYTES */ { image: 10485760, video: 16777216 };
  const ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,video/mp4,video/quicktime,video/webm";
  // Shown when the widget opens: a payload goes to the bot as a click, `ask` is typed for
  // the customer (FAQ answers are chosen by the bot's NLU, not addressable by a payload).
  const STARTERS = [
    { title: "starterOrder", payload: "/check_order_status" },
    { title: "starterShipping", ask: "starterShippingQuestion" },
    { title: "starterReturns", ask: "starterReturnsQuestion" },
    { title: "starterPerson", payload: "/request_human" },
  ];

  // Every language's texts from handoff/texts/*.yml, put here by the gateway when it serves
  // this file ({name}-style placeholders are filled in by t()).
  const TEXTS = {/* CUSTOMER_TEXTS */};

  // ---- persisted state: the conversation to resume and messages not yet acknowledged ----
  const load = (key, fallback) => {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch { return fallback; }
  };
  const save = (key, value) => localStorage.setItem(key, JSON.stringify(value));
  let session = load(STORE_KEY, null); // {conversation_id, token, last_seq, language}
  let outbox = load(OUTBOX_KEY, []); // frames awaiting their echo, in send order

  // A link from a follow-up email reopens that conversation: #tokonusa-chat=<id>.<token>.
  // The fragment never reaches a server; it is removed from the address bar at once.
  const link = /^#tokonusa-chat=([0-9a-f]{32})\.([\w-]{16,})$/.exec(location.hash);
  if (link) {
    if (session?.conversation_id !== link[1]) { outbox = []; save(OUTBOX_KEY, outbox); }
    session = { conversation_id: link[1], token: link[2], last_seq: 0, language: session?.language };
    save(STORE_KEY, session);
    history.replaceState(null, "", location.pathname + location.search);
  }

  const shownSeqs = new Set();
  let language = session?.language || ((navigator.language || "").toLowerCase().startsWith("id") ? "id" : "en");
  let lastState = null;
  let socket = null;
  let attached = false; // the server confirmed which conversation this socket serves
  let retries = 0;
  let resendTimer = 0; // set while waiting to re-send what the server could not store
  let refusals = 0; // "unavailable" answers in a row: each one doubles the wait
  let pausedUntil = 0; // refused for too many chats: no reconnecting before this time
  let pingTimer = 0;
  let typingTimer = 0;
  let lastTypingSent = 0;
  let unread = 0;
  const t = (key, values = {}) => {
    const text = TEXTS[language]?.[key];
    return text && text.replace(/\{(\w+)\}/g, (_, name) => values[name]);
  };
  const newId = () => (crypto.randomUUID ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
  // Characters as the server counts them (code points, after trimming): an emoji is one.
  const charCount = (text) => [...text.trim()].length;
  const number = (n) => n.toLocaleString(language === "id" ? "id-ID" : "en-US");
  const clock = (iso) => new Date(iso).toLocaleTimeString(language === "id" ? "id-ID" : "en-GB",
    { hour: "2-digit", minute: "2-digit" });

  // ---- DOM (inside a shadow root so the host page's CSS cannot break it) ----
  const el = (tag, props = {}, children = [], attrs = {}) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  };
  // A paperclip (Feather's), drawn as SVG: no image request for the CSP to allow.
  const paperclip = () => {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    path.setAttribute("d", "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48");
    svg.append(path);
    return svg;
  };
  const host = el("div", { id: "tokonusa-chat" });
  const root = host.attachShadow({ mode: "open" });
  const badge = el("span", { className: "badge", hidden: true });
  const bubble = el("button", { className: "bubble", type: "button" },
    [el("span", { className: "bubble-icon" }, [], { "aria-hidden": "true" }), badge],
    { "aria-expanded": "false", "aria-controls": "tn-panel" });
  const heading = el("h2", { id: "tn-title" });
  const closeButton = el("button", { className: "close", type: "button", textContent: "×" });
  const status = el("p", { className: "status", hidden: true }, [], { role: "status" });
  const log = el("ol", { className: "log" }, [], { role: "log", "aria-live": "polite" });
  const typingLine = el("p", { className: "typing", hidden: true });
  // No maxLength: a browser would cut a long paste without a word. The counter warns instead.
  const input = el("textarea", { rows: 1 });
  const sendButton = el("button", { type: "submit", className: "send" });
  const fileInput = el("input", { type: "file", accept: ACCEPT, hidden: true });
  const attachButton = el("button", { type: "button", className: "attach" }, [paperclip()]);
  // A photo at full size over the chat; Escape, a click or the × closes it.
  const viewerImage = el("img", { alt: "" });
  const viewerClose = el("button", { type: "button", className: "viewer-close", textContent: "×" });
  const viewer = el("div", { className: "viewer", hidden: true }, [viewerImage, viewerClose]);
  const newChatButton = el("button", { type: "button", className: "new-chat", hidden: true });
  const counter = el("p", { className: "counter", hidden: true }, [], { "aria-live": "polite" });
  const form = el("form", { className: "composer" }, [attachButton, fileInput, input, sendButton]);
  const panel = el("section", { className: "panel", id: "tn-panel", hidden: true }, [
    el("header", {}, [heading, closeButton]), status, log, typingLine, newChatButton, counter, form, viewer,
  ], { role: "dialog", "aria-labelledby": "tn-title" });
  // The panel comes first so the stylesheet can hide the launcher behind a full-screen panel.
  root.append(el("link", { rel: "stylesheet", href: `${gateway}/static/widget.css` }), panel, bubble);

  function applyTexts() {
    heading.textContent = t("title");
    bubble.setAttribute("aria-label", t("open"));
    closeButton.setAttribute("aria-label", t("close"));
    input.placeholder = t("placeholder");
    input.setAttribute("aria-label", t("placeholder"));
    sendButton.textContent = t("send");
    attachButton.setAttribute("aria-label", t("attach"));
    attachButton.title = t("attach");
    viewerClose.setAttribute("aria-label", t("closePhoto"));
    newChatButton.textContent = t("newChat");
    if (lastState) showState(lastState);
    showWelcome();
    updateCounter();
  }

  function setLanguage(code) {
    if (!code || !TEXTS[code] || code === language) return;
    language = code;
    if (session) { session.language = code; save(STORE_KEY, session); }
    applyTexts();
  }

  function setStatus(text, tone = "") {
    status.hidden = !text;
    status.textContent = text || "";
    status.className = `status ${tone}`;
  }

  // ---- transcript ----
  const isEffortScale = (buttons) => buttons.length >= 5 && buttons.length <= 7
    && buttons.every((b) => /^[1-7]$/.test(String(b.title).trim()));

  function senderLabel(frame) {
    if (frame.sender === "agent") return frame.agent_name || t("agent");
    if (frame.sender === "bot") return t("bot");
    return "";
  }

  // The newest line stays in view whatever changed: a message, the status bar, the typing
  // line, "new chat", the counter, the keyboard opening on a phone.
  const follow = () => { log.scrollTop = log.scrollHeight; };
  new ResizeObserver(follow).observe(log);
  new MutationObserver(follow).observe(log, { childList: true, subtree: true });
  // A photo or video grows its line when it has loaded (these events do not bubble: capture).
  log.addEventListener("load", follow, true);
  log.addEventListener("loadedmetadata", follow, true);

  // ---- photos and videos: private files, fetched with the conversation's token ----
  const objectUrls = new Map(); // attachment id -> Promise of an object URL, each fetched once

  function attachmentUrl(attachment) {
    if (attachment.localUrl) return Promise.resolve(attachment.localUrl); // being uploaded
    if (!objectUrls.has(attachment.id)) {
      const loaded = fetch(`${gateway}${attachment.url}`, { headers: { "X-Conversation-Token": session?.token || "" } })
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.blob();
        })
        .then((blob) => URL.createObjectURL(blob));
      loaded.catch(() => objectUrls.delete(attachment.id)); // tried again when shown again
      objectUrls.set(attachment.id, loaded);
    }
    return objectUrls.get(attachment.id);
  }

  function forgetAttachments() {
    objectUrls.forEach((loaded) => loaded.then(URL.revokeObjectURL, () => {}));
    objectUrls.clear();
  }

  /** A thumbnail that opens full size, or a playable video; "cannot be shown" if it fails. */
  function attachmentNode(attachment) {
    const video = attachment.kind === "video";
    const media = video
      ? el("video", { controls: true, preload: "metadata", playsInline: true }, [], { "aria-label": attachment.name || t("video") })
      : el("img", { alt: attachment.name || t("photo") });
    const box = el("div", { className: `attachment ${attachment.kind}` }, [video ? media
      : el("button", { type: "button", className: "thumb", onclick: () => showViewer(media) }, [media], { "aria-label": t("viewPhoto") })]);
    // A file this browser cannot show before upload (HEIC) just waits for the stored copy.
    const failed = () => box.replaceChildren(...(attachment.localUrl ? []
      : [el("p", { className: "attachment-failed", textContent: t("attachmentFailed") })]));
    media.addEventListener("error", failed);
    attachmentUrl(attachment).then((url) => { media.src = url; }, failed);
    return box;
  }

  function showViewer(image) {
    if (!image.src) return;
    viewerImage.src = image.src;
    viewerImage.alt = image.alt;
    viewer.hidden = false;
    viewerClose.focus();
  }

  function hideViewer() {
    viewer.hidden = true;
    viewerImage.removeAttribute("src");
  }

  // ---- greeting and starter buttons: shown, never stored; the first click stores the chat ----
  function welcomeItem() {
    const row = el("div", { className: "chips starters" });
    for (const starter of STARTERS) {
      const chip = el("button", { type: "button", className: "chip", textContent: t(starter.title) });
      chip.addEventListener("click", () => {
        row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        chip.classList.add("chosen");
        if (starter.payload) enqueue({ type: "button", title: t(starter.title), payload: starter.payload });
        else enqueue({ type: "message", text: t(starter.ask) });
      });
      row.append(chip);
    }
    return el("li", { className: "msg bot welcome" }, [
      el("span", { className: "who", textContent: t("bot") }),
      el("p", { className: "text", textContent: t("greeting") }), row]);
  }

  /** The greeting heads the log; its starters work until the conversation has a message. */
  function showWelcome() {
    const started = log.querySelector(".msg:not(.welcome)") !== null;
    const item = welcomeItem();
    if (started) item.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const shown = log.querySelector(".welcome");
    if (shown) shown.replaceWith(item);
    else log.prepend(item);
  }

  function updateCounter() {
    const count = charCount(input.value);
    const over = count > MAX_CHARS;
    counter.hidden = count < COUNTER_FROM;
    counter.classList.toggle("over", over);
    counter.textContent = t("counter", { count: number(count), limit: number(MAX_CHARS) })
      + (over ? ` — ${t("too_long", { limit: number(MAX_CHARS) })}` : "");
    input.setAttribute("aria-invalid", String(over));
  }

  function renderButtons(buttons) {
    const scale = isEffortScale(buttons);
    const row = el("div", { className: scale ? "chips scale" : "chips" });
    for (const button of buttons) {
      const chip = el("button", { type: "button", className: "chip", textContent: button.title });
      chip.addEventListener("click", () => {
        row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        chip.classList.add("chosen");
        enqueue({ type: "button", title: button.title, payload: button.payload });
      });
      row.append(chip);
    }
    if (scale) row.append(el("small", { className: "hint", textContent: t("effortHint") }));
    return row;
  }

  function messageItem(frame, pending = false) {
    const item = el("li", { className: `msg ${frame.sender}${pending ? " pending" : ""}` });
    const label = senderLabel(frame);
    if (label) item.append(el("span", { className: "who", textContent: label }));
    if (frame.attachment) item.append(attachmentNode(frame.attachment));
    // A photo's caption, if any, goes under it; a message without a photo always has text.
    if (frame.text || !frame.attachment) item.append(el("p", { className: "text", textContent: frame.text }));
    if (pending) item.append(el("small", { className: "meta", textContent: t(frame.attachment ? "uploading" : "sending") }));
    else if (frame.created_at) {
      item.append(el("time", { className: "meta", dateTime: frame.created_at, textContent: clock(frame.created_at) }));
    }
    if (frame.buttons?.length) item.append(renderButtons(frame.buttons));
    if (frame.buttons?.length && isEffortScale(frame.buttons)) item.classList.add("wide");
    if (frame.client_message_id) item.dataset.clientId = frame.client_message_id;
    return item;
  }

  function showMessage(frame) {
    if (shownSeqs.has(frame.seq)) return; // replays after a reconnect overlap on purpose
    shownSeqs.add(frame.seq);
    if (frame.client_message_id) {
      outbox = outbox.filter((f) => f.client_message_id !== frame.client_message_id);
      save(OUTBOX_KEY, outbox);
      // An optimistic copy is replaced by the stored one, so it is never shown twice.
      removePending(frame.client_message_id);
      recovered();
    }
    // Only the newest bot message keeps live buttons; older ones (and the starters) are history.
    if (frame.buttons?.length) log.querySelectorAll(".chips button").forEach((b) => { b.disabled = true; });
    log.querySelectorAll(".starters button").forEach((b) => { b.disabled = true; });
    log.append(messageItem(frame));
    // A replay after a reload re-shows old messages: only ones past the stored seq are unread.
    const isNew = !session || frame.seq > (session.last_seq || 0);
    if (session && isNew) { session.last_seq = frame.seq; save(STORE_KEY, session); }
    if (frame.sender === "agent") typingLine.hidden = true;
    if (isNew && panel.hidden && frame.sender !== "customer") { unread += 1; badge.hidden = false; badge.textContent = String(unread); }
    follow();
  }

  const pendingItem = (clientId) => log.querySelector(`li.pending[data-client-id="${CSS.escape(clientId)}"]`);

  /** Removes the optimistic copy of a message, and the local preview of its file if any. */
  function removePending(clientId) {
    const item = pendingItem(clientId);
    item?.querySelectorAll("img[src^='blob:'], video[src^='blob:']").forEach((media) => URL.revokeObjectURL(media.src));
    item?.remove();
  }

  function showPending(frame) {
    const text = frame.type === "button" ? frame.title : frame.text;
    log.append(messageItem({ sender: "customer", text, client_message_id: frame.client_message_id }, true));
    follow();
  }

  // The server's one wait estimate (store/waits.py): minutes only when someone answers today.
  function queuedText(frame) {
    if (frame.back_at_label) return t("queued_back_at", { time: frame.back_at_label });
    if (frame.wait_minutes) return t("queued_minutes", { minutes: frame.wait_minutes });
    return t("queued_no_agent");
  }

  function showState(frame) {
    lastState = frame;
    const closed = frame.state === "closed";
    newChatButton.hidden = !closed;
    form.hidden = closed;
    if (frame.state === "queued") setStatus(queuedText(frame), "waiting");
    else if (frame.state === "assigned") setStatus(t("joined", { name: frame.agent_name || t("agent") }), "joined");
    else if (closed) setStatus(t("closed"), "closed");
    else setStatus("");
    follow();
  }

  // ---- connection ----
  function send(frame) {
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function enqueue(fields) {
    const frame = { ...fields, client_message_id: newId() };
    outbox.push(frame);
    save(OUTBOX_KEY, outbox);
    showPending(frame);
    if (attached && !resendTimer) send(frame); // while waiting to re-send, queue it: keeps the order
    else if (!session) connect(); // the first message of a first visit starts the conversation
  }

  // ---- uploads: POST /chat/attachments with the file as the body (docs/widget-protocol.md) ----
  const sessionWaiters = []; // uploads chosen before the server named the conversation

  const conversationReady = () => (session ? Promise.resolve(session) : new Promise((resolve) => {
    sessionWaiters.push(resolve);
    connect();
  }));

  const megabytes = (bytes) => number(Math.round((bytes / 1024 / 1024) * 10) / 10);

  async function uploadFile(file) {
    const kind = file.type.startsWith("video/") ? "video" : "image";
    if (file.size > MAX_BYTES[kind]) { // nothing sent: the customer picks a smaller file
      setStatus(t("fileTooLarge", { limit: megabytes(MAX_BYTES[kind]) }), "error");
      return;
    }
    if (status.classList.contains("error")) restoreStatus();
    const clientId = newId();
    const local = { kind, name: file.name, localUrl: URL.createObjectURL(file) };
    log.append(messageItem({ sender: "customer", text: "", attachment: local, client_message_id: clientId }, true));
    follow();
    const { conversation_id: conversationId, token } = await conversationReady();
    let answer = null;
    try {
      const response = await fetch(`${gateway}/chat/attachments`, {
        method: "POST", body: file,
        headers: { "Content-Type": file.type || "application/octet-stream", "X-Conversation-Id": conversationId,
          "X-Conversation-Token": token, "X-File-Name": encodeURIComponent(file.name), "X-Client-Message-Id": clientId,
          "X-Language": language },
      });
      answer = { ok: response.ok, body: await response.json() };
    } catch { /* no answer: the network failed */ }
    if (answer?.ok) { showMessage(answer.body.message); return; } // the socket's echo may be first
    removePending(clientId); // refused or lost: nothing was stored
    setStatus(answer?.body?.detail || t("uploadFailed"), "error");
  }

  function flushOutbox() {
    outbox.forEach(send); // same client_message_id: the server stores each one once
  }

  function connect() {
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    if (pausedUntil - Date.now() > 50) return; // refused: onClose's timer comes back later
    attached = false;
    socket = new WebSocket(`${gateway.replace(/^http/, "ws")}/ws/chat`);
    socket.addEventListener("open", onOpen);
    socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
    socket.addEventListener("close", onClose);
  }

  function onOpen() {
    retries = 0;
    clearTimeout(resendTimer); // attaching re-sends everything waiting anyway
    resendTimer = 0;
    setStatus("");
    if (lastState) showState(lastState);
    hello();
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: "ping" }), PING_MS);
  }

  function hello() {
    if (session) {
      const afterSeq = Math.max(0, ...shownSeqs); // nothing shown yet after a reload: replay all
      send({ type: "resume", conversation_id: session.conversation_id, token: session.token, after_seq: afterSeq,
        locale: session.language || navigator.language || "" }); // a never-stored chat is prepared again
    } else {
      send({ type: "start", locale: navigator.language || "" });
    }
  }

  function onClose() {
    clearInterval(pingTimer);
    attached = false;
    // Exponential backoff with jitter, so a restarting gateway is not stampeded.
    const backoff = Math.min(15000, 500 * 2 ** retries) * (0.75 + Math.random() / 2);
    const paused = pausedUntil - Date.now(); // the refusal's text stays shown meanwhile
    if (paused <= 0) setStatus(t("offline"), "offline");
    retries += 1;
    setTimeout(connect, Math.max(backoff, paused));
  }

  function attach() {
    if (attached) return;
    attached = true;
    flushOutbox();
  }

  // The server could not store a message (its database is restarting) and stored nothing:
  // keep the outbox and re-send it, waiting longer after each refusal, and never give up.
  // A refused start/resume (not attached yet) is sent again the same way.
  function resendLater(retryAfter) {
    setStatus(t(outbox.length ? "unavailable" : "offline"), "waiting");
    if (resendTimer) return; // frames sent right after the refused one are refused too
    const wait = Math.max(1, Number(retryAfter) || 2) * 1000 * 2 ** refusals;
    // Jitter, so widgets refused together do not all come back at the same moment.
    const delay = Math.min(RESEND_CAP_MS, wait * (1 + Math.random() / 4));
    refusals += 1;
    resendTimer = setTimeout(() => {
      resendTimer = 0;
      if (attached) flushOutbox();
      else hello();
    }, delay);
  }

  function recovered() {
    if (!refusals || resendTimer) return;
    refusals = 0;
    restoreStatus();
  }

  function restoreStatus() {
    if (lastState) showState(lastState);
    else setStatus("");
  }

  const handlers = {
    conversation(frame) {
      const changed = session?.conversation_id !== frame.conversation_id;
      session = { conversation_id: frame.conversation_id, token: frame.token,
        last_seq: changed ? 0 : session.last_seq, language: frame.language || language };
      save(STORE_KEY, session);
      setLanguage(frame.language);
      attach();
      sessionWaiters.splice(0).forEach((resolve) => resolve(session));
    },
    message: showMessage,
    language(frame) { setLanguage(frame.language); }, // the customer switched language
    state(frame) {
      setLanguage(frame.language);
      showState(frame);
      attach(); // after a resume the state frame follows the replay
    },
    typing(frame) {
      typingLine.textContent = t("typing", { name: frame.agent_name || t("agent") });
      typingLine.hidden = false;
      follow();
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typingLine.hidden = true; }, TYPING_SHOW_MS);
    },
    error(frame) {
      if (frame.error === "unavailable") {
        if (outbox.length || !attached) resendLater(frame.retry_after);
        return;
      }
      if (frame.error === "too_many_connections" || frame.error === "too_many_conversations") {
        // The server closes this socket now; come back when it said, messages kept.
        setStatus(t(frame.error), "error");
        pausedUntil = Date.now() + Math.max(1, Number(frame.retry_after) || 30) * 1000;
        return;
      }
      if (frame.error === "unknown_conversation") {
        // A chat nobody wrote in was never stored: starting afresh is no news to the customer.
        if (session?.last_seq) setStatus(t(frame.error), "error");
        resetConversation();
        outbox.forEach(showPending); // still delivered, into the new conversation
        send({ type: "start", locale: navigator.language || "" });
        return;
      }
      setStatus(t(frame.error, { limit: number(frame.limit || MAX_CHARS) }) || t("invalid"), "error");
      if (frame.error === "rate_limited") {
        setTimeout(flushOutbox, 3000);
      } else if (outbox.length) {
        // The refused frame names itself; else frames are answered in order, so it is the
        // oldest unacknowledged one. It was not stored: drop it so it is not retried forever.
        const index = Math.max(0, outbox.findIndex((f) => f.client_message_id === frame.client_message_id));
        const [rejected] = outbox.splice(index, 1);
        save(OUTBOX_KEY, outbox);
        pendingItem(rejected.client_message_id)?.classList.add("failed");
        // Nothing is cut or lost: a refused text comes back to the box to be shortened.
        if (rejected.type === "message" && !input.value) { input.value = rejected.text; updateCounter(); }
      }
    },
    pong() {},
  };

  function onFrame(frame) {
    handlers[frame.type]?.(frame);
  }

  function resetConversation() {
    session = null;
    attached = false;
    lastState = null;
    localStorage.removeItem(STORE_KEY);
    shownSeqs.clear();
    log.replaceChildren();
    forgetAttachments();
    showWelcome();
    setStatus("");
    newChatButton.hidden = true;
    form.hidden = false;
  }

  // ---- user actions ----
  function togglePanel(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    if (!open) { bubble.focus(); return; }
    unread = 0;
    badge.hidden = true;
    connect();
    input.focus();
    follow();
  }

  bubble.addEventListener("click", () => togglePanel(panel.hidden));
  closeButton.addEventListener("click", () => togglePanel(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (viewer.hidden) togglePanel(false);
    else hideViewer();
  });
  viewer.addEventListener("click", hideViewer);
  attachButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const [file] = fileInput.files;
    fileInput.value = ""; // the same file can be chosen again
    if (file) uploadFile(file);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (charCount(text) > MAX_CHARS) { // kept in the box, never cut: the customer shortens it
      updateCounter();
      setStatus(t("too_long", { limit: number(MAX_CHARS) }), "error");
      return;
    }
    input.value = "";
    updateCounter();
    if (status.classList.contains("error")) restoreStatus(); // the refusal is answered
    enqueue({ type: "message", text });
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    updateCounter();
    if (!attached || Date.now() - lastTypingSent < TYPING_SEND_MS) return;
    lastTypingSent = Date.now();
    send({ type: "typing" });
  });
  newChatButton.addEventListener("click", () => {
    resetConversation();
    if (!send({ type: "start", locale: navigator.language || "" })) connect();
    input.focus();
  });

  applyTexts();
  outbox.forEach(showPending); // typed before a reload, still to be delivered
  document.body.append(host);
  if (link) togglePanel(true); // opened from an email: show the conversation
  else if (session) connect(); // a returning visitor sees agent replies that arrived meanwhile
})();
