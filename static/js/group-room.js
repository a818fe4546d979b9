/* The group room (Samtalerom): one WebSocket, messages inserted as text only.
 *
 * Every message carries the session's sequence number. The client keeps the last number it
 * shows; on (re)connect, and whenever a number is skipped, it asks the server to "resume"
 * after it, so a dropped connection or a lost broadcast never leaves a gap or a duplicate.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-group-room]");
  if (!root || !window.WebSocket) { return; }
  root.hidden = false;

  var text = function (name) { return root.getAttribute("data-text-" + name) || ""; };
  var statusEl = root.querySelector("[data-room-status]");
  var topicEl = root.querySelector("[data-room-topic]");
  var list = root.querySelector("[data-room-messages]");
  var people = root.querySelector("[data-room-people]");
  var form = root.querySelector("[data-room-form]");
  var input = root.querySelector("[data-room-text]");
  var topicButton = root.querySelector("[data-room-topic-button]");

  var lastSeq = 0;
  var me = null;
  var isStaff = false;
  var finished = false;
  var socket = null;
  var retries = 0;
  var pinger = null;
  var pending = {};
  var counter = 0;

  function setStatus(message) { statusEl.textContent = message; }

  function setFormEnabled(enabled) {
    input.disabled = !enabled;
    form.querySelectorAll("button").forEach(function (b) { b.disabled = !enabled; });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function showTopic(value) {
    topicEl.hidden = !value;
    topicEl.textContent = value ? text("topic") + ": " + value : "";
  }

  function render(message) {
    var item = document.createElement("li");
    item.className = "groups-message" + (message.staff ? " groups-message--staff" : "") +
      (message.from === me ? " groups-message--mine" : "") +
      (message.kind === "topic" ? " groups-message--topic" : "");
    var meta = document.createElement("p");
    meta.className = "groups-message__meta";
    var when = new Date(message.at);
    meta.textContent = message.author + (message.staff ? " (" + text("supervisor") + ")" : "") +
      " · " + when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    var body = document.createElement("p");
    body.className = "groups-message__text";
    body.textContent = message.kind === "topic" ? text("topic") + ": " + message.text : message.text;
    item.appendChild(meta);
    item.appendChild(body);
    list.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
    if (message.kind === "topic") { showTopic(message.text); }
  }

  function receiveMessage(message) {
    if (message.seq <= lastSeq) { return; }
    if (message.seq > lastSeq + 1) { send({ type: "resume", after: lastSeq }); return; }
    lastSeq = message.seq;
    render(message);
  }

  function showPeople(participants) {
    people.textContent = "";
    participants.forEach(function (person) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = person.name + ", " + person.region;
      item.appendChild(name);
      if (isStaff) {
        var mute = document.createElement("button");
        mute.type = "button";
        mute.className = "button button-small button-secondary";
        mute.textContent = person.muted ? root.getAttribute("data-text-unmute") || "↺" : root.getAttribute("data-text-mute") || "⏸";
        mute.addEventListener("click", function () {
          send({ type: "mute", participant: person.id, muted: !person.muted });
        });
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button-small button-secondary";
        remove.textContent = root.getAttribute("data-text-remove") || "✕";
        remove.addEventListener("click", function () {
          if (window.confirm(root.getAttribute("data-text-confirm-remove") || "?")) {
            send({ type: "remove", participant: person.id });
          }
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(mute);
        item.appendChild(remove);
      }
      people.appendChild(item);
    });
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "hello":
        me = frame.me;
        isStaff = frame.staff;
        retries = 0;
        setStatus(frame.muted ? text("muted") : text("connected"));
        setFormEnabled(!frame.muted);
        showTopic(frame.topic);
        showPeople(frame.participants);
        send({ type: "resume", after: lastSeq });
        break;
      case "history":
        frame.messages.forEach(receiveMessage);
        if (frame.more) { send({ type: "resume", after: lastSeq }); }
        break;
      case "message":
        receiveMessage(frame);
        break;
      case "ack":
        if (pending[frame.client_id] !== undefined) {
          delete pending[frame.client_id];
          input.value = "";
        }
        break;
      case "muted":
        setStatus(frame.muted ? text("muted") : text("connected"));
        setFormEnabled(!frame.muted);
        break;
      case "participants":
        showPeople(frame.participants);
        break;
      case "closed":
        finished = true;
        setStatus(frame.message);
        setFormEnabled(false);
        break;
      case "error":
        setStatus(frame.message);
        if (frame.code === "room_not_open" || frame.code === "removed" ||
            frame.code === "signed_out" || frame.code === "too_many_sockets") {
          finished = true;
          setFormEnabled(false);
        }
        break;
      default:
        break;
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    setStatus(retries ? text("reconnecting") : text("connecting"));
    socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-socket-path"));
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    });
    socket.addEventListener("open", function () {
      pinger = window.setInterval(function () { send({ type: "ping" }); }, 30000);
    });
    socket.addEventListener("close", function (event) {
      window.clearInterval(pinger);
      if (finished || event.code === 4403 || event.code === 4000 || event.code === 4401) {
        finished = true;
        setFormEnabled(false);
        return;
      }
      retries += 1;
      setStatus(text("reconnecting"));
      window.setTimeout(connect, Math.min(1000 * retries, 10000));
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = input.value.trim();
    if (!value) { return; }
    counter += 1;
    var id = "c" + counter;
    pending[id] = value;
    send({ type: "post", text: value, client_id: id });
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  if (topicButton) {
    topicButton.addEventListener("click", function () {
      var value = input.value.trim();
      if (value && send({ type: "topic", text: value })) { input.value = ""; }
    });
  }

  setFormEnabled(false);
  connect();
}());
