// The member's live chat (templates/chat/conversation.html), over the member socket.
//
// Every message carries its per-conversation sequence number. The page remembers the highest
// number it shows; on every (re)connect it asks for what came after it ("resume"), so a reload,
// a dropped line or a restarted server loses nothing and shows nothing twice. Text from the
// chat is always put into the page with textContent, never as HTML.
//
// Sending is idempotent: each message carries a client_id. Until its ack arrives it stays in
// the log as "sending" and in sessionStorage (so a reload keeps it too); on every reconnect
// the page sends it again with the same client_id, and the server answers a message it has
// already stored with the same ack (same seq) instead of storing it twice.

const root = document.querySelector("[data-chat]");

if (root) {
  const id = root.dataset.conversation;
  const log = root.querySelector("[data-chat-log]");
  const status = root.querySelector("[data-chat-status]");
  const connection = root.querySelector("[data-chat-connection]");
  const errorBox = root.querySelector("[data-chat-error]");
  const typing = root.querySelector("[data-chat-typing]");
  const composer = root.querySelector("[data-chat-composer]");
  const input = root.querySelector("[data-chat-input]");
  const endForm = root.querySelector("[data-chat-end]");
  const ended = root.querySelector("[data-chat-ended]");
  const text = (name) => root.dataset["text" + name] || "";

  let last = 0;
  for (const item of log.querySelectorAll("[data-seq]")) {
    last = Math.max(last, Number(item.dataset.seq));
  }
  let socket = null;
  let retry = 0;
  // Connections in a row that ended before the server said anything: after a few, the chat
  // itself is down (Redis, the server), not just this line, and the page says so.
  let failures = 0;
  const FAILURES_BEFORE_UNAVAILABLE = 3;
  let finished = root.dataset.state === "ended";
  let pingTimer = null;
  let typingTimer = null;
  let lastTyping = 0;
  const pending = new Map(); // client_id → {li, body} not yet acknowledged
  const storeKey = `ordrom.chat.pending.${id}`;

  function savePending() {
    try {
      const items = [...pending].map(([clientId, item]) => [clientId, item.body]);
      if (items.length) sessionStorage.setItem(storeKey, JSON.stringify(items));
      else sessionStorage.removeItem(storeKey);
    } catch {
      // storage full or blocked: the messages stay in memory until acked
    }
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
  }

  function setStatus(lines) {
    status.replaceChildren();
    for (const line of lines) {
      if (!line) continue;
      const p = document.createElement("p");
      p.textContent = line;
      status.append(p);
    }
  }

  function showError(message) {
    errorBox.hidden = !message;
    errorBox.textContent = message || "";
  }

  function messageItem(sender, name, body) {
    const li = document.createElement("li");
    li.className = "chat-msg chat-msg--" + sender;
    li.dataset.sender = sender;
    if (sender !== "system") {
      const who = document.createElement("span");
      who.className = "chat-msg__who";
      who.textContent = sender === "member" ? text("You") : name || text("Supervisor");
      li.append(who, " ");
    }
    const span = document.createElement("span");
    span.className = "chat-msg__text";
    span.textContent = body;
    li.append(span);
    if (sender === "member") {
      const state = document.createElement("span");
      state.className = "chat-msg__state";
      li.append(" ", state);
    }
    return li;
  }

  function markState(li, label) {
    const state = li.querySelector(".chat-msg__state");
    if (state) state.textContent = label;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function onMessage(frame) {
    if (frame.seq <= last) return; // already shown
    if (frame.seq > last + 1) {
      send({ type: "resume", after: last }); // a gap: fetch what is missing, in order
      return;
    }
    last = frame.seq;
    let li = log.querySelector(`[data-seq="${frame.seq}"]`);
    if (!li) {
      li = messageItem(frame.sender, frame.name, frame.text);
      li.dataset.seq = String(frame.seq);
      log.append(li);
    }
    if (frame.sender === "member") {
      markState(li, frame.delivered ? text("Delivered") : text("Sent"));
    } else if (frame.sender === "supervisor") {
      typing.hidden = true;
      send({ type: "delivered", seq: frame.seq });
    }
    li.scrollIntoView({ block: "nearest" });
  }

  function onAck(frame) {
    const item = pending.get(frame.client_id);
    if (!item) return;
    pending.delete(frame.client_id);
    savePending();
    const li = item.li;
    const shown = log.querySelector(`[data-seq="${frame.seq}"]`);
    if (shown && shown !== li) {
      li.remove(); // the resume already showed it
      return;
    }
    li.dataset.seq = String(frame.seq);
    markState(li, text("Sent"));
    if (frame.seq === last + 1) last = frame.seq;
  }

  function onState(frame) {
    root.dataset.state = frame.state;
    if (frame.state === "waiting") {
      setStatus([
        fill(text("Waiting"), { position: frame.position }),
        frame.wait_minutes ? fill(text("Wait"), { minutes: frame.wait_minutes }) : "",
      ]);
    } else if (frame.state === "active") {
      setStatus([fill(text("Active"), { name: frame.supervisor })]);
      composer.hidden = false;
      for (const el of root.querySelectorAll("[data-chat-waiting-only]")) el.hidden = true;
      const button = endForm && endForm.querySelector("button");
      if (button && endForm.dataset.activeLabel) button.textContent = endForm.dataset.activeLabel;
    } else {
      setStatus([text("Ended")]);
      composer.hidden = true;
      typing.hidden = true;
      if (endForm) endForm.hidden = true;
      for (const el of root.querySelectorAll("[data-chat-waiting-only]")) el.hidden = true;
      ended.hidden = false;
      giveBackPending();
      if (frame.last > last) send({ type: "resume", after: last });
      finished = true;
    }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "message":
        onMessage(frame);
        break;
      case "ack":
        onAck(frame);
        break;
      case "state":
        onState(frame);
        if (frame.last > last) send({ type: "resume", after: last });
        break;
      case "typing":
        typing.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => (typing.hidden = true), 5000);
        break;
      case "delivered":
        for (const seq of frame.seqs) {
          const li = log.querySelector(`[data-seq="${seq}"]`);
          if (li) markState(li, text("Delivered"));
        }
        break;
      case "error":
        showError(frame.message);
        break;
      default:
        break;
    }
  }

  function sendMessage(clientId, body) {
    return send({ type: "message", text: body, client_id: clientId });
  }

  // The chat ended before these reached the server: give the text back to the writer.
  function giveBackPending() {
    for (const [clientId, item] of pending) {
      pending.delete(clientId);
      if (!input.value) input.value = item.body;
      item.li.remove();
    }
    savePending();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/ws/chat/${id}/`);
    let answered = false;
    socket.addEventListener("open", () => {
      retry = 0;
      // Unacknowledged messages first (the socket handles frames in order, so their acks
      // arrive before the resume and nothing is shown twice), then what we missed.
      for (const [clientId, item] of pending) sendMessage(clientId, item.body);
      send({ type: "resume", after: last });
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: "ping" }), 30000);
    });
    socket.addEventListener("message", (event) => {
      if (!answered) {
        answered = true;
        failures = 0;
        connection.hidden = true;
        connection.removeAttribute("role");
      }
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      clearInterval(pingTimer);
      // Unacknowledged messages stay in the log as "sending"; they go again on reconnect.
      if (event.code === 4401 || event.code === 4403) return; // signed out or not allowed
      if (finished && event.code === 1000) return;
      if (!answered) failures += 1;
      connection.hidden = false;
      if (failures >= FAILURES_BEFORE_UNAVAILABLE || connection.getAttribute("role") === "alert") {
        connection.setAttribute("role", "alert");
        connection.textContent = text("Unavailable");
      } else {
        connection.textContent = text("Reconnecting");
      }
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * 2 ** retry);
    });
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    const clientId = Math.random().toString(36).slice(2) + Date.now().toString(36);
    showError("");
    const li = messageItem("member", "", body);
    markState(li, text("Sending"));
    log.append(li);
    pending.set(clientId, { li, body });
    savePending();
    sendMessage(clientId, body); // if the line is down, it goes on reconnect
    input.value = "";
    li.scrollIntoView({ block: "nearest" });
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  input.addEventListener("input", () => {
    const now = Date.now();
    if (now - lastTyping > 3000) {
      lastTyping = now;
      send({ type: "typing" });
    }
  });

  if (endForm) {
    endForm.addEventListener("submit", (event) => {
      if (send({ type: "end" })) event.preventDefault();
    });
  }

  // Messages a reload interrupted before their ack: show them as sending, resend on connect.
  try {
    for (const [clientId, body] of JSON.parse(sessionStorage.getItem(storeKey) || "[]")) {
      const li = messageItem("member", "", String(body));
      markState(li, text("Sending"));
      log.append(li);
      pending.set(String(clientId), { li, body: String(body) });
    }
  } catch {
    // nothing kept
  }
  if (finished) giveBackPending();

  connect();
}
