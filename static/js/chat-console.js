// The supervisors' chat console (templates/chat/admin/console.html) over the console socket.
//
// A live list of waiting people, "take next", and one panel per chat. Each panel remembers
// the highest message number it shows and resumes from it after a reconnect. Text from the
// chat is always put into the page with textContent, never as HTML.

(function () {
  "use strict";
  const root = document.querySelector("[data-chat-console]");
  if (!root) return;

  const t = (name) => root.dataset["text" + name] || "";
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    node.append(...children);
    return node;
  };

  const waitingList = root.querySelector("[data-console-waiting]");
  const count = root.querySelector("[data-console-count]");
  const takeButton = root.querySelector("[data-console-take]");
  const onlineBox = root.querySelector("[data-console-online]");
  const panelsBox = root.querySelector("[data-console-panels]");
  const errorBox = root.querySelector("[data-console-error]");
  const connectionNote = root.querySelector("[data-console-connection]");
  const phrasesHtml = root.querySelector("[data-console-phrases]").content;
  const referralsHtml = root.querySelector("[data-console-referrals]").content;

  const panels = new Map(); // conversation id → panel state
  let online = [];
  let me = null;
  let capacity = Number(root.dataset.capacity || 2);
  let socket = null;
  let retry = 0;
  let pingTimer = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function showError(message) {
    errorBox.hidden = !message;
    errorBox.textContent = message || "";
  }

  function activeCount() {
    let n = 0;
    for (const panel of panels.values()) if (panel.state === "active") n += 1;
    return n;
  }

  function renderQueue(frame) {
    online = frame.online || [];
    count.textContent = String(frame.waiting.length);
    waitingList.replaceChildren();
    if (!frame.waiting.length) waitingList.append(el("li", { text: t("Nobody") }));
    for (const item of frame.waiting) {
      const li = el("li", { "data-waiting": String(item.id) });
      if (item.urgent) li.append(el("span", { class: "chat-console__urgent", text: t("Urgent") }), " ");
      li.append(el("span", { text: fill(t("WaitingFor"), { time: item.waiting_for }) }));
      if (item.away) li.append(" · ", el("em", { text: t("Away") }));
      if (item.first_line) li.append(el("div", { class: "chat-console__first", text: item.first_line }));
      waitingList.append(li);
    }
    for (const panel of panels.values()) fillTransfer(panel);
    takeButton.disabled = activeCount() >= capacity;
  }

  function fillTransfer(panel) {
    const select = panel.transferSelect;
    const current = select.value;
    select.replaceChildren(el("option", { value: "", text: "—" }));
    for (const person of online) {
      if (person.id === me) continue;
      select.append(el("option", { value: String(person.id), text: person.name }));
    }
    select.value = current;
  }

  function messageItem(panel, frame) {
    const who =
      frame.sender === "member" ? t("Member") : frame.sender === "supervisor" ? frame.name || t("You") : "";
    const li = el("li", { class: "chat-console__msg chat-console__msg--" + frame.sender, "data-seq": String(frame.seq) });
    if (who) li.append(el("span", { class: "chat-console__who", text: who }));
    li.append(el("span", { class: "chat-console__text", text: frame.text }));
    if (frame.sender === "supervisor") {
      li.append(el("span", { class: "chat-console__state", text: frame.delivered ? t("Delivered") : t("Sent") }));
    }
    return li;
  }

  function makePanel(summary) {
    const panel = { id: summary.id, last: 0, state: summary.state, urgent: false };
    const node = el("article", { class: "chat-panel", "data-panel": String(summary.id) });
    const heading = el("h3", { text: summary.member });
    const badge = el("span", { class: "chat-console__urgent", text: " " + t("Urgent") });
    badge.hidden = true;
    heading.append(badge);
    const info = el("p", { class: "chat-panel__info" });
    const contact = el("p", { class: "chat-panel__contact" });
    const log = el("ol", { class: "chat-console__log", "aria-live": "polite" });
    const typing = el("p", { class: "chat-panel__typing", text: t("Typing") });
    typing.hidden = true;
    const ended = el("p", { class: "chat-panel__ended", text: t("Ended") });
    ended.hidden = true;

    const textarea = el("textarea", { rows: 3, maxLength: 4000, "data-panel-input": "" });
    textarea.setAttribute("aria-label", t("Message"));
    const sendButton = el("button", { type: "submit", class: "button", text: t("Send") });
    const form = el("form", { class: "chat-panel__form" }, textarea, sendButton);

    const phrases = el("select", { "data-panel-phrase": "" }, el("option", { value: "", text: t("Phrase") }));
    phrases.append(phrasesHtml.cloneNode(true));
    const referrals = el("select", { "data-panel-referral": "" }, el("option", { value: "", text: t("Referral") }));
    referrals.append(referralsHtml.cloneNode(true));
    const urgentButton = el("button", { type: "button", class: "button button-secondary", text: t("MarkUrgent") });
    const transferSelect = el("select", { "data-panel-transfer": "" });
    transferSelect.setAttribute("aria-label", t("Transfer"));
    const transferButton = el("button", { type: "button", class: "button button-secondary", text: t("Transfer") });
    const endButton = el("button", { type: "button", class: "button button-secondary", text: t("End"), "data-panel-end": "" });
    const closeButton = el("button", { type: "button", class: "button button-secondary", text: t("Close") });
    closeButton.hidden = true;
    const tools = el("div", { class: "chat-panel__tools" }, phrases, referrals, urgentButton, transferSelect, transferButton, endButton, closeButton);

    const nextStep = el("input", { type: "checkbox", "data-safety-next-step": "" });
    const numbers = el("input", { type: "checkbox", "data-safety-numbers": "" });
    const note = el("textarea", { rows: 2, maxLength: 2000 });
    const confirm = el("button", { type: "button", class: "button", text: t("ConfirmEnd"), "data-safety-confirm": "" });
    const safety = el(
      "fieldset",
      { class: "chat-panel__safety" },
      el("legend", { text: t("Safety") }),
      el("label", {}, nextStep, " ", t("NextStep")),
      el("br"),
      el("label", {}, numbers, " ", t("Numbers")),
      el("br"),
      el("label", { text: t("Note") }),
      note,
      confirm,
    );
    safety.hidden = true;

    node.append(heading, info, contact, log, typing, ended, form, tools, safety);
    panelsBox.append(node);
    Object.assign(panel, { node, badge, info, contact, log, typing, ended, form, textarea, tools, safety, transferSelect, closeButton, endButton });
    fillTransfer(panel);

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = textarea.value.trim();
      if (!body) return;
      if (send({ type: "message", conversation: panel.id, text: body, client_id: String(Date.now()) })) {
        textarea.value = "";
        showError("");
      }
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    let lastTyping = 0;
    textarea.addEventListener("input", () => {
      if (Date.now() - lastTyping > 3000) {
        lastTyping = Date.now();
        send({ type: "typing", conversation: panel.id });
      }
    });
    phrases.addEventListener("change", () => {
      if (phrases.value) textarea.value = (textarea.value ? textarea.value + " " : "") + phrases.value;
      phrases.value = "";
      textarea.focus();
    });
    referrals.addEventListener("change", () => {
      if (referrals.value) send({ type: "referral", conversation: panel.id, service: Number(referrals.value) });
      referrals.value = "";
    });
    urgentButton.addEventListener("click", () => send({ type: "urgent", conversation: panel.id }));
    transferButton.addEventListener("click", () => {
      if (transferSelect.value) send({ type: "transfer", conversation: panel.id, to: Number(transferSelect.value) });
    });
    endButton.addEventListener("click", () => {
      if (panel.urgent) {
        safety.hidden = false;
        nextStep.focus();
      } else {
        send({ type: "end", conversation: panel.id });
      }
    });
    confirm.addEventListener("click", () => {
      send({
        type: "end",
        conversation: panel.id,
        next_step: nextStep.checked,
        numbers_given: numbers.checked,
        note: note.value,
      });
    });
    closeButton.addEventListener("click", () => {
      send({ type: "close_panel", conversation: panel.id });
      node.remove();
      panels.delete(panel.id);
    });
    panels.set(panel.id, panel);
    return panel;
  }

  function onConversation(summary) {
    const panel = panels.get(summary.id) || makePanel(summary);
    panel.state = summary.state;
    panel.urgent = summary.urgent;
    panel.badge.hidden = !summary.urgent;
    panel.node.classList.toggle("chat-panel--urgent", summary.urgent);
    panel.info.textContent = summary.first_line ? t("FirstLine") + " " + summary.first_line : "";
    panel.info.append(" (" + fill(t("Waited"), { time: summary.waited }) + ")");
    panel.contact.textContent = summary.crisis_contact ? t("CrisisContact") + " " + summary.crisis_contact : "";
    if (summary.state === "ended") {
      panel.form.hidden = true;
      panel.safety.hidden = true;
      panel.typing.hidden = true;
      panel.endButton.hidden = true;
      panel.ended.hidden = false;
      panel.closeButton.hidden = false;
    }
    if (summary.last > panel.last) send({ type: "resume", conversation: panel.id, after: panel.last });
    takeButton.disabled = activeCount() >= capacity;
  }

  function onMessage(frame) {
    const panel = panels.get(frame.conversation);
    if (!panel || frame.seq <= panel.last) return;
    if (frame.seq > panel.last + 1) {
      send({ type: "resume", conversation: panel.id, after: panel.last });
      return;
    }
    panel.last = frame.seq;
    const li = messageItem(panel, frame);
    panel.log.append(li);
    li.scrollIntoView({ block: "nearest" });
    if (frame.sender === "member") {
      panel.typing.hidden = true;
      send({ type: "delivered", conversation: panel.id, seq: frame.seq });
    }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "hello":
        me = frame.me;
        capacity = frame.capacity;
        break;
      case "queue":
        renderQueue(frame);
        break;
      case "conversation":
        onConversation(frame);
        break;
      case "message":
        onMessage(frame);
        break;
      case "typing": {
        const panel = panels.get(frame.conversation);
        if (panel) {
          panel.typing.hidden = false;
          clearTimeout(panel.typingTimer);
          panel.typingTimer = setTimeout(() => (panel.typing.hidden = true), 5000);
        }
        break;
      }
      case "delivered": {
        const panel = panels.get(frame.conversation);
        for (const seq of frame.seqs) {
          const state = panel && panel.log.querySelector(`[data-seq="${seq}"] .chat-console__state`);
          if (state) state.textContent = t("Delivered");
        }
        break;
      }
      case "transferred": {
        const panel = panels.get(frame.conversation);
        if (panel) {
          panel.node.remove();
          panels.delete(frame.conversation);
        }
        break;
      }
      case "queue_empty":
        showError(t("Nobody"));
        break;
      case "error":
        showError(frame.message);
        break;
      default:
        break;
    }
  }

  takeButton.addEventListener("click", () => {
    showError("");
    send({ type: "take_next" });
  });
  onlineBox.addEventListener("change", () => send({ type: "presence", online: onlineBox.checked }));

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/ws/chat/console/`);
    socket.addEventListener("open", () => {
      retry = 0;
      connectionNote.hidden = true;
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: "ping" }), 30000);
    });
    socket.addEventListener("message", (event) => {
      try {
        onFrame(JSON.parse(event.data));
      } catch (error) {
        showError(String(error));
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(pingTimer);
      if (event.code === 4401 || event.code === 4403) return;
      connectionNote.hidden = false;
      connectionNote.textContent = t("Reconnecting");
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * 2 ** retry);
    });
  }
  connect();
})();
