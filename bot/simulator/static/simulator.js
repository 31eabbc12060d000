// The simulator page: sends what is typed to /simulator/api/*, shows the replies and what the
// engine did. No framework, no build step.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const chat = $("chat");
  const quick = $("quick");
  const screen = document.querySelector(".screen");
  let totalSegments = 0;
  let totalCost = 0;

  function channel() {
    return document.querySelector("input[name=channel]:checked").value;
  }

  async function call(path, body) {
    const init = { method: body === undefined ? "GET" : "POST", headers: { "X-Simulator": "1" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch("/simulator/api/" + path, init);
    if (!response.ok) {
      throw new Error("the simulator answered " + response.status);
    }
    return response.json();
  }

  function bubble(from, text, meta) {
    const item = document.createElement("li");
    item.className = "msg " + from;
    item.dataset.from = from;
    const body = document.createElement("p");
    body.className = "text";
    body.textContent = text;
    item.appendChild(body);
    if (meta) {
      const small = document.createElement("p");
      small.className = "meta";
      small.textContent = meta;
      item.appendChild(small);
    }
    chat.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function costLine(body) {
    if (body.segments === undefined) {
      return "WhatsApp";
    }
    const unit = body.segments === 1 ? "segment" : "segments";
    return "SMS · " + body.encoding + " · " + body.segments + " " + unit + " · US$" + body.cost.toFixed(4);
  }

  function countSegments(bodies) {
    const rows = $("segments");
    rows.replaceChildren();
    bodies.forEach((body, index) => {
      if (body.segments === undefined) {
        return;
      }
      totalSegments += body.segments;
      totalCost += body.cost;
      const row = document.createElement("tr");
      [String(index + 1), body.encoding, String(body.segments), body.cost.toFixed(4)].forEach((value) => {
        const cell = document.createElement("td");
        cell.textContent = value;
        row.appendChild(cell);
      });
      rows.appendChild(row);
    });
    $("total-segments").textContent = String(totalSegments);
    $("total-cost").textContent = totalCost.toFixed(4);
  }

  function listIds(messages) {
    const list = $("msgids");
    list.replaceChildren();
    if (!messages.length) {
      const none = document.createElement("li");
      none.textContent = "none found";
      list.appendChild(none);
    }
    messages.forEach((found) => {
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = found.msgid;
      item.appendChild(code);
      if (found.fallback) {
        item.appendChild(document.createTextNode(" [" + found.lang + "]"));
      }
      list.appendChild(item);
    });
  }

  function buttons(options) {
    quick.replaceChildren();
    if (channel() !== "whatsapp") {
      return;
    }
    options.forEach((option) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "option";
      button.textContent = option.title;
      button.addEventListener("click", () => send({ text: option.title, button: option.id }));
      quick.appendChild(button);
    });
  }

  function showState(state) {
    $("phone").textContent = state.phone;
    $("step").textContent = state.flow ? state.flow + ":" + state.step : "none yet";
    $("state-lang").textContent = state.lang || "not chosen";
    $("asks").textContent = state.asks || "none";
    $("waiting").textContent = String(state.waiting_calls || 0);
    const select = $("lang");
    if (select.options.length <= 1 && state.languages) {
      select.replaceChildren();
      const choose = document.createElement("option");
      choose.value = "";
      choose.textContent = "Switch to…";
      select.appendChild(choose);
      state.languages.forEach((lang) => {
        const option = document.createElement("option");
        option.value = lang.code;
        option.textContent = lang.name + " (" + lang.code + ")";
        select.appendChild(option);
      });
    }
  }

  function show(data) {
    data.turns.forEach((turn) => {
      bubble("me", turn.sent);
      turn.bodies.forEach((body) => bubble("bot", body.text, costLine(body)));
      countSegments(turn.bodies);
      listIds(turn.messages);
      buttons(turn.options);
    });
    data.later.forEach((message) => {
      bubble("bot", message.text, "sent later · " + costLine(message));
      countSegments([message]);
    });
    showState(data.state);
  }

  // One call at a time, in order: what is typed while a call is out waits for it.
  let queue = Promise.resolve();
  let waiting = 0;

  function run(path, body) {
    waiting += 1;
    screen.setAttribute("aria-busy", "true");
    queue = queue.then(async () => {
      try {
        show(await call(path, body));
      } catch (error) {
        bubble("error", String(error.message || error));
      } finally {
        waiting -= 1;
        if (!waiting) {
          screen.setAttribute("aria-busy", "false");
        }
      }
    });
    return queue;
  }

  function send(typed) {
    return run("send", { text: typed.text, button: typed.button || null, channel: channel() });
  }

  $("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    if (!text.trim()) {
      return;
    }
    input.value = "";
    send({ text: text }).then(() => input.focus());
  });

  $("lang").addEventListener("change", (event) => {
    const lang = event.target.value;
    if (lang) {
      run("language", { lang: lang, channel: channel() }).then(() => { event.target.value = ""; });
    }
  });

  $("reset").addEventListener("click", () => {
    chat.replaceChildren();
    quick.replaceChildren();
    $("msgids").replaceChildren();
    totalSegments = 0;
    totalCost = 0;
    countSegments([]);
    run("reset", {});
  });

  document.querySelectorAll("input[name=channel]").forEach((radio) => {
    radio.addEventListener("change", () => {
      screen.dataset.channel = channel();
      quick.replaceChildren();
    });
  });

  // Messages the bot sends on its own (results after the draw, notices) arrive by polling.
  setInterval(() => {
    if (!waiting && !document.hidden) {
      run("state");
    }
  }, 3000);
  run("state");
})();
