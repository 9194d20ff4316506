// The demo's phone simulator: a feature phone that dials *900# through the USSD gateway (Africa's Talking
// convention) and shows the SMS inbox of its number. Vanilla JS, no build step; CSP allows only this file.
(function () {
  "use strict";

  var INBOX_POLL_MS = 2000;

  function start() {
    var root = document.getElementById("sim");
    if (!root) return;
    var data = root.dataset;
    var el = {
      wallet: document.getElementById("sim-wallet"),
      number: document.getElementById("sim-number"),
      apply: document.getElementById("sim-number-apply"),
      numberError: document.getElementById("sim-number-error"),
      current: document.getElementById("sim-current"),
      operator: document.getElementById("sim-operator"),
      timer: document.getElementById("sim-timer"),
      screen: document.getElementById("sim-screen"),
      entry: document.getElementById("sim-entry"),
      inbox: document.getElementById("sim-inbox"),
      inboxNumber: document.getElementById("sim-inbox-number"),
      inboxStatus: document.getElementById("sim-inbox-status"),
    };
    var serviceCode = data.serviceCode || "*900#";
    var codeBase = serviceCode.replace(/#$/, ""); // "*900"
    var timeoutMs = (parseInt(data.sessionTimeout, 10) || 180) * 1000;

    var phone = null; // E.164 of the selected number, checked by the inbox endpoint
    var session = null; // {id, answers: [], deadline, busy}
    var inbox = { phone: null, seen: {}, loaded: false, timer: null, request: 0 };

    // --- screen ------------------------------------------------------------------------------------------

    function show(text) {
      root.classList.remove("sim-state-error");
      el.screen.textContent = text;
    }

    function idle() {
      session = null;
      root.classList.remove("sim-in-session");
      show(phone ? data.msgIdle : data.msgNoNumber);
      renderTimer();
    }

    function renderTimer() {
      if (!session || session.deadline === null) {
        el.timer.textContent = data.msgSessionEnded || "—";
        el.timer.classList.remove("sim-timer-low");
        return;
      }
      var left = Math.max(0, Math.ceil((session.deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      el.timer.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      el.timer.classList.toggle("sim-timer-low", left <= 30);
      if (left === 0 && !session.busy) {
        session = null;
        root.classList.remove("sim-in-session");
        show(data.msgTimeout);
        renderTimer();
      }
    }

    // --- the gateway -------------------------------------------------------------------------------------

    function newSessionId() {
      var bytes = new Uint8Array(12);
      window.crypto.getRandomValues(bytes);
      return "sim-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }

    function post(answers) {
      var current = session;
      // The gateway counts the 180 s from when it handles the request: count from the sending, not the reply.
      var sentAt = Date.now();
      current.busy = true;
      root.classList.add("sim-busy");
      var body = new URLSearchParams({
        sessionId: current.id,
        serviceCode: serviceCode,
        phoneNumber: phone,
        text: answers.join("*"),
      });
      return fetch(data.gatewayUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.text().then(function (text) { return { status: response.status, text: text }; });
        })
        .then(function (reply) {
          if (session !== current) return; // hung up meanwhile
          current.busy = false;
          if (reply.status !== 200) {
            session = null;
            root.classList.remove("sim-in-session");
            show(data.msgRefused + " (" + reply.status + "): " + reply.text);
            root.classList.add("sim-state-error");
            renderTimer();
            return;
          }
          current.answers = answers;
          el.entry.value = "";
          if (reply.text.indexOf("CON ") === 0 || reply.text === "CON") {
            current.deadline = sentAt + timeoutMs;
            show(reply.text.slice(4));
          } else {
            session = null;
            root.classList.remove("sim-in-session");
            show(reply.text.indexOf("END ") === 0 ? reply.text.slice(4) : reply.text);
            refreshWallets(); // a session that ends may have opened a wallet or locked a PIN
          }
          renderTimer();
          refreshInbox(); // an SMS may follow the answer (PIN, payment code)
        })
        .catch(function () {
          if (session !== current) return;
          current.busy = false;
          if (current.answers === null) {
            // The first request never arrived: there is no session to go back to.
            session = null;
            root.classList.remove("sim-in-session");
          }
          show(data.msgNetwork);
          root.classList.add("sim-state-error");
          renderTimer();
        })
        .finally(function () {
          root.classList.remove("sim-busy");
        });
    }

    function dial(typed) {
      var value = typed.replace(/\s+/g, "");
      var initial;
      if (value === serviceCode) {
        initial = [];
      } else if (value.indexOf(codeBase + "*") === 0 && value.slice(-1) === "#" && value.length > codeBase.length + 2) {
        initial = value.slice(codeBase.length + 1, -1).split("*");
      } else {
        show(data.msgBadCode);
        return;
      }
      session = { id: newSessionId(), answers: null, deadline: null, busy: false };
      root.classList.add("sim-in-session");
      show(data.msgCalling);
      post(initial);
    }

    function call() {
      if (!phone) {
        show(data.msgNoNumber);
        el.number.focus();
        return;
      }
      if (session && session.busy) return;
      var typed = el.entry.value;
      if (!session) {
        if (typed.trim()) dial(typed);
        else show(data.msgIdle);
        return;
      }
      if (!typed.length) return; // a phone sends nothing for an empty answer
      post(session.answers.concat([typed]));
    }

    function hangup() {
      if (session) {
        session = null;
        root.classList.remove("sim-in-session", "sim-busy");
        el.entry.value = "";
        show(data.msgHangup);
        renderTimer();
      } else {
        el.entry.value = "";
        show(phone ? data.msgIdle : data.msgNoNumber);
      }
    }

    function type(chars) {
      el.entry.value += chars;
    }

    function backspace() {
      el.entry.value = el.entry.value.slice(0, -1);
    }

    // --- number picker -----------------------------------------------------------------------------------

    function selectNumber(raw, thenFocusPhone) {
      var value = (raw || "").trim();
      el.numberError.textContent = "";
      if (!value) return;
      var url = data.inboxUrl + "?" + new URLSearchParams({ phone: value }).toString();
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            el.numberError.textContent = result.body.error || "";
            el.number.setAttribute("aria-invalid", "true");
            return;
          }
          el.number.removeAttribute("aria-invalid");
          el.number.value = result.body.phone;
          if (result.body.phone !== phone) {
            phone = result.body.phone;
            if (session) hangup();
            el.current.textContent = phone;
            el.operator.textContent = phone;
            el.wallet.value = Array.prototype.some.call(el.wallet.options, function (o) { return o.value === phone; }) ? phone : "";
            inbox = { phone: phone, seen: {}, loaded: false, timer: inbox.timer, request: inbox.request };
            el.inbox.textContent = "";
            el.inboxNumber.textContent = phone;
            idle();
          }
          renderInbox(result.body);
          if (thenFocusPhone) el.entry.focus();
        })
        .catch(function () {
          el.numberError.textContent = data.msgNetwork;
        });
    }

    // The picker again from the server: a wallet opened on this phone appears, a blocked or PIN-locked one is marked.
    function refreshWallets() {
      if (!data.walletsUrl) return;
      fetch(data.walletsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body || !body.wallets) return;
          while (el.wallet.options.length > 1) el.wallet.remove(1);
          body.wallets.forEach(function (w) {
            var option = document.createElement("option");
            option.value = w.phone;
            option.textContent = w.label;
            if (w.blocked) option.dataset.blocked = "1";
            if (w.pin_locked) option.dataset.pinLocked = "1";
            el.wallet.appendChild(option);
          });
          el.wallet.value = Array.prototype.some.call(el.wallet.options, function (o) { return o.value === phone; }) ? phone : "";
        })
        .catch(function () { /* the list stays as it was */ });
    }

    // --- inbox -------------------------------------------------------------------------------------------

    // Times come formatted in Bishkek time by the server: the phone is on a Kyrgyz network, whatever the
    // trainee's computer clock or time zone says.
    function formatTime(message) {
      return message.sent_at_display || message.sent_at || "";
    }

    function renderInbox(body) {
      if (body.phone !== inbox.phone) return;
      var messages = body.messages || [];
      el.inboxStatus.textContent = messages.length ? "" : data.msgInboxEmpty;
      // Newest first: prepend the new ones in reverse so that the order stays newest first.
      var fresh = messages.filter(function (m) { return !inbox.seen[m.id]; });
      for (var i = fresh.length - 1; i >= 0; i--) {
        var m = fresh[i];
        inbox.seen[m.id] = true;
        var item = document.createElement("li");
        item.className = "sim-sms" + (inbox.loaded ? " sim-sms-new" : "");
        item.dataset.id = String(m.id);
        item.dataset.kind = m.kind;
        var head = document.createElement("div");
        head.className = "sim-sms-head";
        var kind = document.createElement("span");
        kind.className = "sim-sms-kind";
        kind.textContent = m.kind_label || m.kind;
        var time = document.createElement("time");
        time.dateTime = m.sent_at || "";
        time.textContent = formatTime(m);
        head.appendChild(kind);
        head.appendChild(time);
        var text = document.createElement("p");
        text.className = "sim-sms-text";
        text.textContent = m.text;
        item.appendChild(head);
        item.appendChild(text);
        el.inbox.insertBefore(item, el.inbox.firstChild);
      }
      inbox.loaded = true;
    }

    function refreshInbox() {
      if (!inbox.phone) return;
      var request = ++inbox.request;
      var url = data.inboxUrl + "?" + new URLSearchParams({ phone: inbox.phone }).toString();
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && request === inbox.request) renderInbox(body);
        })
        .catch(function () { /* the next poll tries again */ });
    }

    // --- events ------------------------------------------------------------------------------------------

    root.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !root.contains(button)) return;
      if (button.dataset.key) type(button.dataset.key);
      else if (button.dataset.action === "call") call();
      else if (button.dataset.action === "hangup") hangup();
      else if (button.dataset.action === "backspace") backspace();
    });

    // A mouse click on a phone key does not take the focus, so that Enter afterwards means "call", not
    // "press the last key again"; keyboard users still reach the keys with Tab.
    root.addEventListener("mousedown", function (event) {
      var button = event.target.closest(".sim-key");
      if (button && root.contains(button)) event.preventDefault();
    });

    el.wallet.addEventListener("change", function () {
      if (el.wallet.value) {
        el.number.value = el.wallet.value;
        selectNumber(el.wallet.value);
      }
    });
    el.apply.addEventListener("click", function () { selectNumber(el.number.value, true); });
    el.number.addEventListener("change", function () { selectNumber(el.number.value); });
    el.number.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        selectNumber(el.number.value, true);
      }
    });

    el.entry.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        call();
      } else if (event.key === "Escape") {
        event.preventDefault();
        hangup();
      }
    });

    // The physical keyboard drives the phone when the focus is not in a form field.
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
      var onButton = tag === "BUTTON";
      if (event.key === "Enter") {
        if (onButton) return; // the focused button clicks itself
        event.preventDefault();
        call();
      } else if (event.key === "Escape") {
        event.preventDefault();
        hangup();
      } else if (event.key === "Backspace") {
        event.preventDefault();
        backspace();
      } else if (event.key.length === 1 && (/[0-9*#]/.test(event.key) || (session && !(onButton && event.key === " ")))) {
        // Digits, * and # always; in a session any character too (the name step takes letters).
        event.preventDefault();
        type(event.key);
      }
    });

    window.setInterval(renderTimer, 250);
    inbox.timer = window.setInterval(refreshInbox, INBOX_POLL_MS);
    el.inboxStatus.textContent = data.msgInboxNone;
    idle();
    if (el.number.value) selectNumber(el.number.value);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
