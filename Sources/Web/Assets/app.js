// zmface faces page: one page, four tabs (Recent, Unknown, People, Train) over the REST API in
// Sources/Web/openapi.yaml. Plain JavaScript, no build step, no external assets.
"use strict";

(() => {
  // ---------------------------------------------------------------- helpers

  const $ = (sel, root = document) => root.querySelector(sel);

  /** h("div.card", {attrs}, children...): a small element builder. Strings become text nodes, so
   * names from the database are never parsed as HTML. */
  function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split(".");
    const el = document.createElement(tag || "div");
    if (classes.length) el.className = classes.join(" ");
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
        else if (key === "dataset") Object.assign(el.dataset, value);
        else if (key === "text") el.textContent = value;
        else el.setAttribute(key, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /** The first defined field among several spellings (the page reads the API's camelCase names and
   * tolerates snake_case). */
  function field(obj, ...names) {
    if (!obj) return undefined;
    for (const n of names) if (obj[n] !== undefined && obj[n] !== null) return obj[n];
    return undefined;
  }

  /** A list answer: the array itself or the array under `key`. */
  function list(answer, key) {
    if (Array.isArray(answer)) return answer;
    const value = answer && answer[key];
    return Array.isArray(value) ? value : [];
  }

  function toDate(value) {
    if (value === undefined || value === null || value === "") return null;
    if (typeof value === "number") return new Date(value > 1e12 ? value : value * 1000);
    const d = new Date(value);
    return isNaN(d) ? null : d;
  }

  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const dayMonth = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

  /** "5 min ago", "yesterday, 14:02", "3 Jan": short and human; the exact time goes in a title. */
  function when(value) {
    const d = toDate(value);
    if (!d) return "—";
    const seconds = (d.getTime() - Date.now()) / 1000;
    const abs = Math.abs(seconds);
    if (abs < 60) return "just now";
    if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
    if (abs < 6 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
    const today = new Date();
    const startOfDay = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
    const days = Math.round((startOfDay(d) - startOfDay(today)) / 86400000);
    if (days === 0) return `today, ${timeOnly.format(d)}`;
    if (days === -1) return `yesterday, ${timeOnly.format(d)}`;
    if (days > -7) return `${relative.format(days, "day")}, ${timeOnly.format(d)}`;
    return `${dayMonth.format(d)}, ${timeOnly.format(d)}`;
  }
  /** The shortest useful time, for captions under small crops: "14:02", "yesterday", "3 Jan". */
  function short(value) {
    const d = toDate(value);
    if (!d) return "";
    const startOfDay = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
    const days = Math.round((startOfDay(d) - startOfDay(new Date())) / 86400000);
    if (days === 0) return timeOnly.format(d);
    if (days === -1) return "yesterday";
    return dayMonth.format(d);
  }
  const exact = (value) => {
    const d = toDate(value);
    return d ? dateTime.format(d) : "";
  };
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + "s"}`;

  /** A crop's URL from the API: a URL as given, or a path relative to the crops folder. */
  function cropURL(crop) {
    if (!crop || typeof crop !== "string") return null;
    if (/^(\/|https?:|blob:|data:)/.test(crop)) return crop;
    if (crop.startsWith("crops/")) return "/" + crop;
    return "/crops/" + crop;
  }

  const icons = {
    faces: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"><path d="M4 8V6a2 2 0 0 1 2-2h2M16 4h2a2 2 0 0 1 2 2v2M20 16v2a2 2 0 0 1-2 2h-2M8 20H6a2 2 0 0 1-2-2v-2"/><circle cx="12" cy="10" r="3"/><path d="M7.5 17c.9-2 2.6-3 4.5-3s3.6 1 4.5 3"/></svg>',
    camera: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><path d="M3 7h3l2-3h8l2 3h3v12H3z"/><circle cx="12" cy="13" r="4"/></svg>',
    people: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"><circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c.8-3.6 3.4-5.5 6.5-5.5s5.7 1.9 6.5 5.5"/><circle cx="17" cy="9" r="2.5"/><path d="M17 14.5c2.3 0 4 1.5 4.6 4.5"/></svg>',
    check: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/></svg>',
  };
  function empty(icon, title, text) {
    const box = h("div.empty", { role: "note" });
    box.insertAdjacentHTML("afterbegin", icons[icon] || "");
    box.append(h("h2", null, title), h("p", null, text));
    return box;
  }
  const skeletons = (n) => Array.from({ length: n }, () => h("div.skeleton", { "aria-hidden": "true" }));

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  /** fetch + JSON + the API's {"error": "..."} as an ApiError. With `web.token` the server asks the
   * browser for basic credentials (the token as password) when the page loads; the browser then sends
   * them with every request of the page, crops included, so the page itself never handles the token. */
  async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      // Against the origin, not the document's URL: opened as http://user:token@host/ (basic auth)
      // the document's URL holds credentials, which fetch refuses in a URL.
      response = await fetch(new URL(path, location.origin), init);
    } catch (err) {
      throw new ApiError(`zmface cannot be reached (${err.message})`, 0);
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const message = (data && data.error) || text.trim() || `${response.status} ${response.statusText}`;
      throw new ApiError(message, response.status);
    }
    return data;
  }
  const post = (path, body) => api(path, { method: "POST", body: body === undefined ? {} : body });
  const enc = encodeURIComponent;

  // ---------------------------------------------------------------- images

  // Crops load when they come near the viewport.
  const imageObserver = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        imageObserver.unobserve(entry.target);
        loadImage(entry.target);
      }
    },
    { rootMargin: "400px" },
  );

  function loadImage(img) {
    const url = img.dataset.src;
    if (!url) return;
    img.addEventListener("load", () => img.classList.add("loaded"), { once: true });
    img.addEventListener("error", () => img.classList.add("missing"), { once: true });
    // Resolved against the origin, like fetch: a document URL with credentials in it would make the
    // browser refuse the image.
    img.src = new URL(url, location.origin).href;
  }

  /** A square crop box: the placeholder silhouette until (and unless) the image arrives. */
  function crop(url, alt = "") {
    const img = h("img", { alt, decoding: "async" });
    const box = h("div.crop", null, img);
    const src = cropURL(url);
    if (src) {
      img.dataset.src = src;
      imageObserver.observe(img);
    } else {
      img.classList.add("missing");
    }
    return box;
  }

  // ---------------------------------------------------------------- toasts and dialogs

  function toast(message, { error = false } = {}) {
    const node = h(
      `div.toast${error ? ".error" : ""}`,
      { role: error ? "alert" : "status" },
      h("span.toast-text", null, message),
      h("button", { type: "button", "aria-label": "Dismiss", onclick: () => node.remove() }, "×"),
    );
    const box = $("#toasts");
    box.append(node);
    raiseToasts();
    setTimeout(() => {
      node.remove();
      if (!box.children.length && box.matches(":popover-open")) box.hidePopover();
    }, error ? 9000 : 4500);
  }
  /** Toasts live in the top layer (a manual popover) so an open modal sheet never hides them; shown
   * again after each sheet opens, they stay above it. */
  function raiseToasts() {
    const box = $("#toasts");
    if (!box.children.length || typeof box.showPopover !== "function") return;
    if (box.matches(":popover-open")) box.hidePopover();
    box.showPopover();
  }
  const fail = (err) => toast(err instanceof ApiError || err instanceof Error ? err.message : String(err), { error: true });

  function openDialog(dialog) {
    if (!dialog.open) dialog.showModal();
    raiseToasts();
  }

  function confirmAction({ title, text, ok = "Delete" }) {
    const dialog = $("#confirm-dialog");
    $("#confirm-title").textContent = title;
    $("#confirm-text").textContent = text;
    $("#confirm-ok").textContent = ok;
    dialog.returnValue = "";
    openDialog(dialog);
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    });
  }

  function prompt({ title, label, value = "", ok = "OK" }) {
    const dialog = $("#prompt-dialog");
    const input = $("#prompt-input");
    $("#prompt-title").textContent = title;
    $("#prompt-label").textContent = label;
    $("#prompt-ok").textContent = ok;
    input.value = value;
    dialog.returnValue = "";
    openDialog(dialog);
    input.focus();
    input.select();
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => resolve(dialog.returnValue === "ok" && input.value.trim() ? input.value.trim() : null),
        { once: true },
      );
    });
  }

  /** Runs a change against the API with its button disabled, then reports it; any failure becomes
   * an error toast with the API's message. */
  let lastFailure = null;
  async function act(button, work, success) {
    if (button) button.disabled = true;
    try {
      const result = await work();
      if (success) toast(typeof success === "function" ? success(result) : success);
      markStale();
      return result;
    } catch (err) {
      lastFailure = err;
      fail(err);
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- faces (shared by every tab)

  /** A face as the page uses it, whatever list it came from. */
  function face(raw) {
    const name = field(raw, "name");
    // Event lists say `labelled: true` where the name is the user's; face lists give the label itself.
    const label = field(raw, "label") ?? (raw && raw.labelled ? name : undefined);
    const labelKind = field(raw, "labelKind", "label_kind") ?? (label ? "person" : undefined);
    return {
      id: field(raw, "id", "faceId", "face_id", "face"),
      crop: field(raw, "cropURL", "cropUrl", "crop_url", "crop"),
      shown: labelKind === "stranger" ? null : label || name || null,
      label,
      labelKind,
      modelName: field(raw, "modelName", "model_name") ?? (label ? undefined : name),
      time: field(raw, "time", "seen", "at"),
      camera: field(raw, "monitorName", "monitor_name", "camera"),
      eventId: field(raw, "eventId", "event_id"),
      zoneminderURL: field(raw, "zoneminderURL", "zoneminderUrl", "zoneminder_url", "eventURL"),
      raw,
    };
  }

  function faceChip(f, { onOpen, caption = true, tag } = {}) {
    const name = f.shown;
    const label = name ? `${name}${f.camera ? ", " + f.camera : ""}. Correct this face` : "Unknown face. Name it";
    return h(
      "button.face-chip",
      { type: "button", "aria-label": label, dataset: { face: f.id || "", name: name || "" }, onclick: () => (onOpen || openFace)(f) },
      crop(f.crop, name || "Unknown face"),
      caption &&
        h(
          `span.face-name${name ? "" : ".unknown"}`,
          { title: name || "Unknown" },
          name || (f.labelKind === "stranger" ? "Not known" : "Unknown"),
          tag ? h("span.tag", null, " " + tag) : null,
        ),
    );
  }

  let currentFace = null;

  function openFace(f) {
    currentFace = f;
    const dialog = $("#face-dialog");
    const img = $("#face-img");
    img.className = "";
    img.removeAttribute("src");
    img.dataset.src = cropURL(f.crop) || "";
    if (img.dataset.src) loadImage(img);
    else img.classList.add("missing");
    $("#face-title").textContent = f.shown || (f.labelKind === "stranger" ? "Not a known person" : "Unknown face");
    const meta = [f.camera, exact(f.time)].filter(Boolean).join(" · ");
    $("#face-meta").textContent = meta + (f.label ? " · labelled by you" : f.modelName ? " · named by the model" : "");
    $("#face-name").value = "";
    const not = $("#face-not");
    not.textContent = f.shown ? `Not ${f.shown}` : "Not a known person";
    not.hidden = f.labelKind === "stranger";
    $("#face-clear").hidden = !(f.label || f.labelKind);
    openDialog(dialog);
  }

  /** After a correction the face's chips show the user's word at once; Recent keeps its place
   * (no reload of a long scrolled list), the other views reload. */
  function afterCorrection(f, label, labelKind) {
    $("#face-dialog").close();
    const shown = labelKind === "stranger" ? null : label || (labelKind ? null : f.modelName) || null;
    Object.assign(f, { label, labelKind, shown });
    for (const chip of document.querySelectorAll(`.face-chip[data-face="${CSS.escape(f.id)}"]`)) {
      chip.dataset.name = shown || "";
      const caption = chip.querySelector(".face-name:not(.when)");
      if (caption) {
        caption.textContent = shown || (labelKind === "stranger" ? "Not known" : "Unknown");
        caption.classList.toggle("unknown", !shown);
      }
      chip.setAttribute("aria-label", shown ? `${shown}. Correct this face` : "Unknown face. Name it");
    }
    markStale();
    if (currentTab === "recent") stale.delete("recent");
    else route();
  }

  function correctFace(body, button, message) {
    const f = currentFace;
    if (!f || !f.id) return;
    act(button, () => post(`/api/faces/${enc(f.id)}/correct`, body), message).then((result) => {
      if (result === undefined) return;
      afterCorrection(f, body.name || null, body.stranger ? "stranger" : "person");
    });
  }

  function initFaceDialog() {
    $("#face-this-is").addEventListener("click", (e) => {
      const name = $("#face-name").value.trim();
      if (!name) {
        $("#face-name").focus();
        return;
      }
      correctFace({ name }, e.currentTarget, `Labelled as ${name}`);
    });
    $("#face-name").addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        $("#face-this-is").click();
      }
    });
    $("#face-not").addEventListener("click", (e) => {
      const who = currentFace && currentFace.shown;
      correctFace({ stranger: true }, e.currentTarget, who ? `Marked as not ${who}` : "Marked as not a known person");
    });
    $("#face-clear").addEventListener("click", (e) => {
      const f = currentFace;
      if (!f) return;
      act(e.currentTarget, () => post(`/api/faces/${enc(f.id)}/clear`), "Your label was removed").then((r) => {
        if (r !== undefined) afterCorrection(f, null, null);
      });
    });
  }

  // ---------------------------------------------------------------- the people list (datalist)

  let peopleNames = [];
  async function loadPeopleNames() {
    try {
      const answer = await api("/api/people");
      setPeopleNames(list(answer, "people").map((p) => field(p, "name")).filter(Boolean));
    } catch {
      // the datalist is a convenience; the tabs report their own errors
    }
  }
  function setPeopleNames(names) {
    peopleNames = [...new Set(names)].sort((a, b) => a.localeCompare(b));
    $("#people-names").replaceChildren(...peopleNames.map((n) => h("option", { value: n })));
  }

  // ---------------------------------------------------------------- paging

  /** A "More" button that also presses itself when it scrolls into view (infinite scroll). */
  function pager(container, { hasMore, load, endText }) {
    container.replaceChildren();
    if (!hasMore) {
      if (endText) container.append(h("span.end", null, endText));
      return;
    }
    const button = h("button.btn", { type: "button" }, "Load more");
    let busy = false;
    const go = async () => {
      if (busy) return;
      busy = true;
      button.disabled = true;
      button.textContent = "Loading…";
      observer.disconnect();
      await load();
    };
    button.addEventListener("click", go);
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && go(), { rootMargin: "200px" });
    observer.observe(button);
    container.append(button);
  }

  function errorBox(err, retry) {
    return h(
      "div.error-box",
      { role: "alert" },
      h("strong", null, "Could not load this: "),
      err.message,
      h("div", null, h("button.btn", { type: "button", onclick: retry }, "Try again")),
    );
  }

  // ---------------------------------------------------------------- Recent

  const EVENTS_PAGE = 30;
  // `person` and `monitor` narrow the list (the API's filters); "" shows everything.
  // `gen` numbers the list's resets: a reply for an earlier one (the filter changed meanwhile) is dropped.
  const recent = { before: null, person: "", monitor: "", gen: 0 };

  /** Fills a filter's options, keeping the chosen one (also when it is no longer offered). */
  function fillFilter(select, first, options, chosen) {
    const known = options.some(([value]) => value === chosen);
    const extra = chosen && !known ? [[chosen, chosen]] : [];
    select.replaceChildren(
      h("option", { value: "" }, first),
      ...[...options, ...extra].map(([value, label]) => h("option", { value }, label)),
    );
    select.value = chosen;
  }

  async function loadRecentFilters() {
    await loadPeopleNames();
    fillFilter($("#recent-person"), "Everyone", peopleNames.map((n) => [n, n]), recent.person);
    try {
      const cameras = list(await api("/api/cameras"), "cameras");
      fillFilter($("#recent-camera"), "All cameras", cameras.map((c) => [String(field(c, "id")), field(c, "name")]), recent.monitor);
    } catch {
      // the filter is a convenience; the list reports its own errors
    }
  }

  for (const [id, key] of [["#recent-person", "person"], ["#recent-camera", "monitor"]]) {
    $(id).addEventListener("change", (event) => {
      recent[key] = event.target.value;
      loadRecent(true);
    });
  }

  function eventCard(raw) {
    const id = field(raw, "id", "eventId", "event_id");
    const monitor = field(raw, "monitor") || {};
    const camera =
      field(raw, "monitorName", "monitor_name", "camera") || field(monitor, "name") || `Monitor ${field(raw, "monitorId", "monitor_id") ?? field(monitor, "id") ?? "?"}`;
    const start = field(raw, "start", "startTime", "start_time");
    const cause = field(raw, "cause");
    const link = field(raw, "zoneminderURL", "zoneminderUrl", "zoneminder_url", "link", "url");
    const inEvent = (p) => {
      const f = face(p);
      f.camera = f.camera || camera;
      f.time = f.time || start;
      f.eventId = id;
      return f;
    };
    const people = list(field(raw, "people") || [], "people").map(inEvent);
    const unknownValue = field(raw, "unknown", "unknownCount", "unknown_count");
    const unknownList = field(raw, "unknownFaces", "unknown_faces") || (Array.isArray(unknownValue) ? unknownValue : []);
    const unknownFaces = unknownList.map(inEvent);
    const unknownCount = typeof unknownValue === "number" ? unknownValue : unknownFaces.length;
    const shownUnknown = people.filter((p) => !p.shown).length + unknownFaces.length;

    const faces = h("div.event-faces");
    for (const f of [...people, ...unknownFaces]) faces.append(faceChip(f));
    if (unknownCount > shownUnknown) {
      faces.append(
        h("a.unknown-more", { href: "#unknown", title: "Unknown faces are reviewed in the Unknown tab" }, `+${plural(unknownCount - shownUnknown, "unknown face")}`),
      );
    }
    if (!faces.children.length) faces.append(h("span.event-none", null, "No faces kept for this event"));

    return h(
      "article.event",
      { dataset: { event: id }, "aria-label": `Event ${id} on ${camera}` },
      h(
        "div.event-head",
        null,
        h("h2.event-camera", null, camera),
        link
          ? h("a.event-link", { href: link, target: "_blank", rel: "noopener", "aria-label": `Open event ${id} in ZoneMinder` }, `#${id} ↗`)
          : h("span.event-link.muted", null, `#${id}`),
      ),
      h(
        "div.event-sub",
        null,
        h("time.event-time", { datetime: toDate(start)?.toISOString(), title: exact(start) }, when(start)),
        cause ? h("span.event-cause", { title: cause }, cause) : null,
      ),
      faces,
    );
  }

  async function loadRecent(reset) {
    const box = $("#events");
    const gen = reset ? ++recent.gen : recent.gen;
    if (reset) {
      recent.before = null;
      if (!box.children.length || box.querySelector(".empty, .error-box")) box.replaceChildren(...skeletons(4));
    }
    let answer;
    try {
      const query = new URLSearchParams({ limit: String(EVENTS_PAGE) });
      if (recent.before !== null) query.set("before", String(recent.before));
      if (recent.person) query.set("person", recent.person);
      if (recent.monitor) query.set("monitor", recent.monitor);
      answer = await api(`/api/events?${query}`);
    } catch (err) {
      if (gen !== recent.gen) return;
      if (reset) box.replaceChildren(errorBox(err, () => loadRecent(true)));
      else fail(err);
      pager($("#events-pager"), { hasMore: !reset, load: () => loadRecent(false) });
      return;
    }
    if (gen !== recent.gen) return;
    const events = list(answer, "events");
    if (reset) box.replaceChildren();
    box.querySelectorAll(".skeleton").forEach((s) => s.remove());
    for (const e of events) box.append(eventCard(e));
    if (reset && !events.length) {
      box.append(
        recent.person || recent.monitor
          ? empty("camera", "No events match", "No event matches this choice. Choose Everyone or All cameras to see more.")
          : empty("camera", "No events yet", "When zmface has looked at ZoneMinder's events, they appear here with the people it saw."),
      );
    }
    const last = events[events.length - 1];
    // The API says where the next page starts (`nextBefore`, null at the end).
    const told = answer && !Array.isArray(answer) && "nextBefore" in answer;
    const next = told ? answer.nextBefore : last ? field(last, "id", "eventId", "event_id") : null;
    recent.before = next;
    const hasMore = told ? next !== null && next !== undefined : events.length >= EVENTS_PAGE;
    pager($("#events-pager"), { hasMore, load: () => loadRecent(false), endText: events.length || !reset ? "That's all." : "" });
  }

  // ---------------------------------------------------------------- Unknown

  const CLUSTERS_PAGE = 24;
  const unknown = { offset: 0, selected: new Map(), total: null };

  function clusterCard(raw) {
    const id = field(raw, "id", "clusterId", "cluster_id");
    const count = field(raw, "faces", "count", "faceCount") ?? 0;
    const first = field(raw, "firstSeen", "first_seen");
    const last = field(raw, "lastSeen", "last_seen");
    const cameras = field(raw, "cameras", "monitors") || [];
    const samples = list(field(raw, "samples", "sampleFaces", "sample_faces") || [], "faces").map(face).slice(0, 8);
    const title = `Unknown person #${id}`;

    const check = h("input", { type: "checkbox", "aria-label": `Select ${title} for merging` });
    check.checked = unknown.selected.has(id);
    const card = h("article.card.cluster", { dataset: { cluster: id }, "aria-label": title });
    if (check.checked) card.classList.add("selected");
    check.addEventListener("change", () => {
      if (check.checked) unknown.selected.set(id, count);
      else unknown.selected.delete(id);
      card.classList.toggle("selected", check.checked);
      updateMergeBar();
    });

    const mosaic = h("button.mosaic", { type: "button", "aria-label": `Open ${title}: all ${plural(count, "face")}` });
    for (let i = 0; i < 8; i++) mosaic.append(samples[i] ? crop(samples[i].crop, "") : h("div.crop.blank", { "aria-hidden": "true" }));
    mosaic.addEventListener("click", () => openCluster(id, title));

    const nameInput = h("input", { list: "people-names", placeholder: "Who is this?", "aria-label": `Name for ${title}`, autocomplete: "off", maxlength: "64", name: "name" });
    const nameButton = h("button.btn.primary", { type: "submit" }, "Name");
    const form = h("form.name-form", null, nameInput, nameButton);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const name = nameInput.value.trim();
      if (!name) {
        nameInput.focus();
        return;
      }
      act(nameButton, () => post(`/api/clusters/${enc(id)}/label`, { name }), `${plural(count, "face")} named ${name}`).then((r) => {
        if (r === undefined) return reloadUnknownSoon();
        removeCard(card, id);
        if (!peopleNames.includes(name)) setPeopleNames([...peopleNames, name]);
      });
    });

    const ignore = h("button.btn.ghost.small", { type: "button", title: "Never offer these faces again; they train the model as strangers" }, "Ignore");
    ignore.addEventListener("click", () =>
      act(ignore, () => post(`/api/clusters/${enc(id)}/ignore`), `${title} ignored`).then((r) => (r === undefined ? reloadUnknownSoon() : removeCard(card, id))),
    );
    const del = h("button.btn.ghost.small", { type: "button" }, "Delete");
    del.addEventListener("click", async () => {
      const ok = await confirmAction({
        title: `Delete ${title}?`,
        text: `Its ${plural(count, "face")} leave the review and their crops are removed. This cannot be undone.`,
      });
      if (!ok) return;
      act(del, () => post(`/api/clusters/${enc(id)}/delete`), `${title} deleted`).then((r) => (r === undefined ? reloadUnknownSoon() : removeCard(card, id)));
    });
    const open = h("button.btn.ghost.small", { type: "button" }, "All faces");
    open.addEventListener("click", () => openCluster(id, title));

    const span = first && last && exact(first) !== exact(last) ? `${when(first)} – ${when(last)}` : when(last || first);
    card.append(
      h("label.select-box", { title: "Select for merging" }, check),
      mosaic,
      h("div.card-title", null, h("h2", null, title), h("span.count", null, plural(count, "face"))),
      h(
        "div.meta",
        null,
        h("span", { title: `First seen ${exact(first)}, last seen ${exact(last)}` }, `Seen ${span}`),
        cameras.length ? h("div.chips", null, cameras.map((c) => h("span.chip", null, typeof c === "string" ? c : field(c, "name", "monitorName") || String(field(c, "id")))))
          : null,
      ),
      form,
      h("div.card-actions", null, open, h("span", null, ignore, del)),
    );
    return card;
  }

  function removeCard(card, id) {
    unknown.selected.delete(id);
    updateMergeBar();
    card.classList.add("leaving");
    setTimeout(() => {
      card.remove();
      if (unknown.total !== null) setUnknownCount(unknown.total - 1);
      if (!$("#clusters .card")) loadUnknown(true);
    }, 250);
  }

  let reloadTimer = null;
  /** After a change refused because the group is gone or changed (another browser, the clustering
   * pass) the list is reloaded, so the page shows what the database now says. Other refusals (a
   * bad name) keep the card as it is, with what the user typed. */
  function reloadUnknownSoon() {
    if (!lastFailure || ![404, 409, 410].includes(lastFailure.status)) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => loadUnknown(true), 300);
  }

  function setUnknownCount(total) {
    unknown.total = total;
    const badge = $("#unknown-count");
    badge.hidden = !(total > 0);
    badge.textContent = total > 999 ? "999+" : String(total);
  }

  function updateMergeBar() {
    const n = unknown.selected.size;
    $("#merge-bar").hidden = n === 0;
    $("#merge-count").textContent = `${n} selected`;
    $("#merge-go").disabled = n < 2;
    $("#merge-go").textContent = n >= 2 ? `Merge ${n}` : "Merge";
  }

  async function mergeSelected(button) {
    // The group with the most faces keeps its id: the others are folded into it.
    const entries = [...unknown.selected.entries()].sort((a, b) => b[1] - a[1]);
    if (entries.length < 2) return;
    const into = entries[0][0];
    const from = entries.slice(1).map(([id]) => id);
    const r = await act(button, () => post("/api/clusters/merge", { into, from }), `Merged ${entries.length} groups into #${into}`);
    if (r !== undefined) {
      unknown.selected.clear();
      updateMergeBar();
    }
    loadUnknown(true);
  }

  async function loadUnknown(reset) {
    const box = $("#clusters");
    if (reset) {
      unknown.offset = 0;
      if (!box.children.length || box.querySelector(".empty, .error-box")) box.replaceChildren(...skeletons(6));
    }
    let answer;
    try {
      answer = await api(`/api/clusters?state=open&limit=${CLUSTERS_PAGE}&offset=${unknown.offset}`);
    } catch (err) {
      if (reset) box.replaceChildren(errorBox(err, () => loadUnknown(true)));
      else fail(err);
      return;
    }
    const clusters = list(answer, "clusters");
    const total = field(answer, "total", "count");
    if (typeof total === "number") setUnknownCount(total);
    else if (reset) setUnknownCount(clusters.length < CLUSTERS_PAGE ? clusters.length : null);
    if (reset) {
      box.replaceChildren();
      // Selections of groups no longer listed are dropped.
      const ids = new Set(clusters.map((c) => field(c, "id", "clusterId", "cluster_id")));
      for (const id of [...unknown.selected.keys()]) if (!ids.has(id)) unknown.selected.delete(id);
      updateMergeBar();
    }
    box.querySelectorAll(".skeleton").forEach((s) => s.remove());
    for (const c of clusters) box.append(clusterCard(c));
    unknown.offset += clusters.length;
    if (reset && !clusters.length) {
      box.append(empty("check", "No unknown faces yet", "Faces the model cannot name are grouped here once a few similar ones have been seen."));
    }
    const hasMore = typeof total === "number" ? unknown.offset < total : clusters.length >= CLUSTERS_PAGE;
    pager($("#clusters-pager"), { hasMore, load: () => loadUnknown(false) });
  }

  // The opened group: all its faces, select some, split them off.
  const clusterView = { id: null, offset: 0, selected: new Set() };
  const FACES_PAGE = 60;

  function openCluster(id, title) {
    clusterView.id = id;
    clusterView.offset = 0;
    clusterView.selected.clear();
    $("#cluster-title").textContent = title;
    $("#cluster-meta").textContent = "";
    $("#cluster-faces").replaceChildren();
    updateSplit();
    openDialog($("#cluster-dialog"));
    loadClusterFaces(true);
  }

  function updateSplit() {
    const n = clusterView.selected.size;
    $("#split-count").textContent = `${n} selected`;
    $("#split-go").disabled = n === 0;
    $("#split-go").textContent = n ? `Split ${plural(n, "face")} off` : "Split off";
  }

  async function loadClusterFaces(reset) {
    const id = clusterView.id;
    const grid = $("#cluster-faces");
    let answer;
    try {
      answer = await api(`/api/clusters/${enc(id)}/faces?limit=${FACES_PAGE}&offset=${clusterView.offset}`);
    } catch (err) {
      fail(err);
      if (reset) grid.replaceChildren(errorBox(err, () => loadClusterFaces(true)));
      return;
    }
    if (id !== clusterView.id) return;
    const faces = list(answer, "faces").map(face);
    const total = field(answer, "total", "count");
    if (reset) grid.replaceChildren();
    for (const f of faces) {
      const chip = faceChip(f, {
        caption: false,
        onOpen: () => {
          const on = !clusterView.selected.has(f.id);
          if (on) clusterView.selected.add(f.id);
          else clusterView.selected.delete(f.id);
          chip.setAttribute("aria-pressed", String(on));
          updateSplit();
        },
      });
      chip.setAttribute("aria-pressed", "false");
      chip.setAttribute("aria-label", `Face seen ${exact(f.time)}${f.camera ? " on " + f.camera : ""}. Select`);
      chip.title = [f.camera, exact(f.time)].filter(Boolean).join(" · ");
      chip.prepend(h("span.check", { "aria-hidden": "true" }));
      grid.append(chip);
    }
    clusterView.offset += faces.length;
    if (typeof total === "number") $("#cluster-meta").textContent = plural(total, "face");
    if (reset && !faces.length) grid.append(empty("faces", "No faces left", "This group is empty."));
    const hasMore = typeof total === "number" ? clusterView.offset < total : faces.length >= FACES_PAGE;
    pager($("#cluster-pager"), { hasMore, load: () => loadClusterFaces(false) });
  }

  function initUnknown() {
    $("#merge-go").addEventListener("click", (e) => mergeSelected(e.currentTarget));
    $("#merge-clear").addEventListener("click", () => {
      unknown.selected.clear();
      document.querySelectorAll("#clusters .card").forEach((c) => {
        c.classList.remove("selected");
        const box = c.querySelector(".select-box input");
        if (box) box.checked = false;
      });
      updateMergeBar();
    });
    $("#cluster-close").addEventListener("click", () => $("#cluster-dialog").close());
    $("#cluster-dialog").addEventListener("close", () => {
      clusterView.id = null;
    });
    $("#split-go").addEventListener("click", async (e) => {
      const faces = [...clusterView.selected];
      if (!faces.length) return;
      const r = await act(e.currentTarget, () => post(`/api/clusters/${enc(clusterView.id)}/split`, { faces }), `${plural(faces.length, "face")} split into a new group`);
      if (r === undefined) return;
      clusterView.offset = 0;
      clusterView.selected.clear();
      updateSplit();
      loadClusterFaces(true);
      loadUnknown(true);
    });
  }

  // ---------------------------------------------------------------- People

  function personCard(raw) {
    const name = field(raw, "name");
    const photos = field(raw, "trainingPhotos", "training_photos", "photos") ?? 0;
    const labelled = field(raw, "labelledFaces", "labelled_faces", "labelled") ?? 0;
    const recognized = field(raw, "recognizedFaces", "recognized_faces") ?? 0;
    const sightingCount = Number(labelled) + Number(recognized);
    const lastSeen = field(raw, "lastSeen", "last_seen");
    const sightings = list(field(raw, "recent", "recentSightings", "recent_sightings", "sightings") || [], "faces").map(face);
    const avatar = sightings[0]?.crop || field(raw, "photo", "avatar");
    const stats = [plural(typeof photos === "number" ? photos : photos.length, "training photo"), sightingCount ? plural(sightingCount, "sighting") : null]
      .filter(Boolean)
      .join(" · ");
    return h(
      "button.card.person-card",
      { type: "button", dataset: { person: name }, onclick: () => (location.hash = `#people/${enc(name)}`), "aria-label": `${name}: ${stats}` },
      crop(avatar, ""),
      h(
        "span.person-text",
        null,
        h("h2", null, name),
        h("span.stats", null, stats),
        h("span.stats", { title: exact(lastSeen) }, lastSeen ? `Last seen ${when(lastSeen)}` : "Not seen by a camera yet"),
      ),
    );
  }

  async function loadPeople() {
    const box = $("#people");
    if (!box.children.length || box.querySelector(".empty, .error-box")) box.replaceChildren(...skeletons(4));
    let answer;
    try {
      answer = await api("/api/people");
    } catch (err) {
      box.replaceChildren(errorBox(err, loadPeople));
      return;
    }
    const people = list(answer, "people");
    setPeopleNames(people.map((p) => field(p, "name")).filter(Boolean));
    box.replaceChildren(...people.map(personCard));
    if (!people.length) {
      box.append(empty("people", "Nobody yet", "Name a group in Unknown, or put photos in the dataset folder and retrain."));
    }
  }

  function photoURL(name, p) {
    const given = field(p, "url", "URL", "photoURL", "photoUrl");
    if (given) return given;
    return `/api/people/${enc(name)}/photos/${enc(field(p, "file", "name"))}`;
  }

  async function loadPerson(name) {
    const box = $("#person-detail");
    box.replaceChildren(h("p", null, h("a", { href: "#people" }, "← People")), ...skeletons(1));
    let answer;
    try {
      answer = await api(`/api/people/${enc(name)}`);
    } catch (err) {
      box.replaceChildren(h("p", null, h("a", { href: "#people" }, "← People")), errorBox(err, () => loadPerson(name)));
      return;
    }
    const shownName = field(answer, "name") || name;
    const photos = list(field(answer, "photos", "trainingPhotos", "training_photos") || [], "photos").map((p) => (typeof p === "string" ? { file: p } : p));
    const faces = list(field(answer, "faces", "recent", "recentFaces", "sightings") || [], "faces").map(face);

    const rename = h("button.btn", { type: "button" }, "Rename");
    rename.addEventListener("click", async () => {
      const to = await prompt({ title: `Rename ${shownName}`, label: "New name", value: shownName, ok: "Rename" });
      if (!to || to === shownName) return;
      const r = await act(rename, () => post(`/api/people/${enc(shownName)}/rename`, { name: to }), `${shownName} is now ${to}`);
      if (r !== undefined) location.hash = `#people/${enc(to)}`;
    });

    const photoGrid = h("div.face-grid.photos");
    for (const p of photos) {
      const file = field(p, "file", "name");
      const remove = h("button.remove", { type: "button", "aria-label": `Remove training photo ${file}`, title: "Remove this training photo" }, "×");
      const tile = h("div.photo", { dataset: { file } }, crop(photoURL(shownName, p), `Training photo ${file}`), remove, h("span.file", { title: file }, file));
      remove.addEventListener("click", async () => {
        const ok = await confirmAction({ title: "Remove this training photo?", text: `${file} is deleted from ${shownName}'s folder in the dataset. The next training no longer uses it.`, ok: "Remove" });
        if (!ok) return;
        const r = await act(remove, () => post(`/api/people/${enc(shownName)}/photos/${enc(file)}/delete`), `Removed ${file}`);
        if (r !== undefined) tile.remove();
      });
      photoGrid.append(tile);
    }
    if (!photos.length) photoGrid.append(empty("faces", "No training photos", "Name faces in Unknown or Recent, then retrain: they are written here."));

    const faceGrid = h("div.face-grid.sightings");
    for (const f of faces) faceGrid.append(faceChip(f, { caption: true }));
    if (!faces.length) faceGrid.append(empty("camera", "Not seen yet", "Faces the cameras saw of this person appear here."));
    // Captions under sightings show when, not the name (it is this page's person).
    faceGrid.querySelectorAll(".face-chip").forEach((chip, i) => {
      const cap = chip.querySelector(".face-name");
      if (cap && faces[i]) {
        cap.textContent = short(faces[i].time);
        cap.title = exact(faces[i].time);
        cap.className = "face-name when";
      }
    });

    box.replaceChildren(
      h("p", null, h("a", { href: "#people" }, "← People")),
      h(
        "div.person-head",
        null,
        crop(faces[0]?.crop || (photos[0] ? photoURL(shownName, photos[0]) : null), ""),
        h("div.grow", null, h("h1", null, shownName), h("p.muted", null, `${plural(photos.length, "training photo")} · ${plural(faces.length, "recent sighting")}`)),
        rename,
      ),
      h("div.section-title", null, h("h2", null, "Recent sightings")),
      faceGrid,
      h("div.section-title", null, h("h2", null, "Training photos"), h("span.muted", null, "in the dataset folder")),
      photoGrid,
    );
  }

  // ---------------------------------------------------------------- Train

  const RUNNING = new Set(["exporting", "encoding", "training", "reloading", "relabelling", "running", "queued", "starting"]);
  let trainPoll = null;

  function showTrain(status) {
    const state = field(status, "state") || "idle";
    const running = RUNNING.has(state);
    const pill = $("#train-state");
    pill.textContent = state;
    pill.className = "state-pill" + (running ? " running" : state === "done" ? " done" : state === "failed" ? " failed" : "");
    const step = field(status, "step") || "";
    let progress = Number(field(status, "progress") ?? (state === "done" ? 1 : 0));
    if (!isFinite(progress)) progress = 0;
    const pct = Math.round(Math.max(0, Math.min(1, progress)) * 100);
    $("#train-progress").setAttribute("aria-valuenow", String(pct));
    $("#train-progress .progress-fill").style.width = `${pct}%`;
    const stepText = step && step.toLowerCase() !== state ? step : "";
    $("#train-step").textContent = running || state === "done" ? [stepText, `${pct} %`].filter(Boolean).join(" · ") : stepText;
    $("#train-message").textContent = field(status, "message") || (state === "idle" ? "Ready." : "");
    $("#train-started").textContent = exact(field(status, "startedAt", "started_at")) || "—";
    $("#train-finished").textContent = exact(field(status, "finishedAt", "finished_at")) || "—";
    const log = field(status, "log");
    const lines = Array.isArray(log) ? log.join("\n") : log || "";
    const pre = $("#train-log");
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
    pre.textContent = lines || "No training has run yet.";
    if (atBottom) pre.scrollTop = pre.scrollHeight;
    // A server without a model file, dataset or crops cannot train: say so instead of offering it.
    const available = field(status, "available") !== false;
    $("#train-go").disabled = running || !available;
    $("#train-go").textContent = running ? "Training…" : available ? "Retrain" : "Retrain unavailable";
    $("#train-dot").hidden = !running;
    return running;
  }

  async function pollTrain() {
    clearTimeout(trainPoll);
    trainPoll = null;
    let running = false;
    try {
      running = showTrain(await api("/api/train/status"));
    } catch (err) {
      if (currentTab === "train") fail(err);
      return;
    }
    if (running) {
      trainPoll = setTimeout(pollTrain, 1500);
    } else if (trainWasRunning) {
      trainWasRunning = false;
      markStale();
    }
    if (running) trainWasRunning = true;
  }
  let trainWasRunning = false;

  function initTrain() {
    $("#train-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const days = Math.max(0, Math.floor(Number($("#relabel-days").value) || 0));
      const r = await act($("#train-go"), () => post("/api/train", { relabelDays: days }), days ? `Training started; then the last ${plural(days, "day")} are re-labelled` : "Training started");
      if (r !== undefined) pollTrain();
    });
  }

  // ---------------------------------------------------------------- tabs and routing

  const TABS = ["recent", "unknown", "people", "train"];
  let currentTab = null;
  const stale = new Set(TABS);

  /** After a change every tab reloads when next shown: a label changes Recent, Unknown and People. */
  function markStale() {
    for (const t of TABS) stale.add(t);
  }

  function refreshCurrent() {
    markStale();
    route();
  }

  function route() {
    const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
    const [tab, ...rest] = hash.split("/");
    const name = TABS.includes(tab) ? tab : "recent";
    const sub = rest.join("/");
    const changed = name !== currentTab;
    currentTab = name;
    // Another place on the page: the face and group sheets of the last one are closed.
    for (const id of ["#face-dialog", "#cluster-dialog"]) if ($(id).open) $(id).close();
    for (const t of TABS) {
      const on = t === name;
      $(`#view-${t}`).hidden = !on;
      const tabLink = $(`#tab-${t}`);
      tabLink.setAttribute("aria-selected", String(on));
      if (on) tabLink.setAttribute("aria-current", "page");
      else tabLink.removeAttribute("aria-current");
    }
    if (name === "people") {
      $("#people-index").hidden = !!sub;
      $("#person-detail").hidden = !sub;
      if (sub) {
        loadPerson(sub);
        return;
      }
    }
    if (!changed && !stale.has(name)) return;
    stale.delete(name);
    if (name === "recent") {
      loadRecent(true);
      loadRecentFilters();
    }
    else if (name === "unknown") loadUnknown(true);
    else if (name === "people") loadPeople();
    else if (name === "train") pollTrain();
    if (changed) window.scrollTo(0, 0);
  }

  function init() {
    initFaceDialog();
    initUnknown();
    initTrain();
    // A click on a dialog's backdrop closes it.
    for (const dialog of document.querySelectorAll("dialog")) {
      dialog.addEventListener("click", (e) => {
        if (e.target === dialog) dialog.close("cancel");
      });
    }
    window.addEventListener("hashchange", route);
    // Coming back to the page shows what changed meanwhile (another browser, the clustering pass).
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && currentTab !== "recent") refreshCurrent();
    });
    route();
    loadPeopleNames();
    if (currentTab !== "unknown") {
      api(`/api/clusters?state=open&limit=1`)
        .then((a) => {
          const total = field(a, "total", "count");
          if (typeof total === "number") setUnknownCount(total);
        })
        .catch(() => {});
    }
    if (currentTab !== "train") pollTrain();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
