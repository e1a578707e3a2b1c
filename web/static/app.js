/* wording: the agents' page. Vanilla JS, no dependencies.
 *
 * The API counts offsets in Unicode code points; JavaScript strings count UTF-16 units. Every offset
 * from the server goes through toUnits() before it touches a string, so emoji and other astral
 * characters never shift a highlight.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 350;
  var PLACEHOLDER = /\[[^\[\]\n]{1,120}\]/g;
  var LABELS = {
    over_apology: "Over-apology",
    news_order: "Bad news last",
    promo_clash: "Promotion in a complaint",
    customer_effort: "Customer effort",
    missing_acknowledgement: "No acknowledgement",
    missing_next_step: "No next step"
  };
  var LANG_NAMES = { en: "English", ru: "Russian", lv: "Latvian", ar: "Arabic", hy: "Armenian" };
  var RTL = { ar: true };
  var EXAMPLES = {
    en: {
      context: "My new washing machine arrived with a cracked door. Order WM-20931. Nobody has called me back in a week!",
      draft: "Hi Daniel,\nGood news: a replacement door is in stock at our Riga warehouse. Unfortunately, the technician " +
        "cannot come before Thursday.\nI'm so sorry about this. We apologize for the inconvenience. Please send us your " +
        "order number and contact our logistics department on 0800 555 0101 to book the visit.\nWhile you wait, check " +
        "out our new extended warranty plans!\nBest regards,\nMarta"
    },
    ar: {
      context: "وصلتني الغسالة الجديدة وبابها مكسور. رقم الطلب WM-20931. لم يتصل بي أحد منذ أسبوع!",
      draft: "مرحباً دانيال،\nنحن آسفون جداً لما حدث. نعتذر عن الإزعاج. نأسف مرة أخرى على هذه التجربة.\n" +
        "يرجى إرسال رقم طلبك والاتصال بقسم الخدمات اللوجستية لحجز الزيارة.\nلا تفوّت عروضنا الجديدة على الضمان الممتد!\n" +
        "مع أطيب التحيات،\nمارتا"
    }
  };

  var $ = function (id) { return document.getElementById(id); };
  var draftEl = $("draft");
  var contextEl = $("context");
  var languageEl = $("language");
  var standardsEl = $("standards");
  var highlightsEl = $("highlights");
  var backdropEl = $("backdrop");
  var editorEl = $("editor");
  var findingsEl = $("findings");
  var statusEl = $("status");
  var countEl = $("count");
  var emptyEl = $("empty");
  var idleEl = $("idle");
  var applyAllEl = $("apply-all");
  var copyEl = $("copy");
  var rewriteEl = $("rewrite");
  var notesEl = $("notes");
  var placeholderNoteEl = $("placeholder-note");
  var langEl = $("lang");
  var contextTypeEl = $("context-type");
  var engineEl = $("engine");
  var undoEl = $("undo");
  var findingsPanelEl = $("findings-panel");

  var token = document.body.getAttribute("data-token");
  var tokenHeader = document.body.getAttribute("data-token-header");

  var state = {
    report: null,       // the last report
    checkedDraft: null, // the draft it describes
    timer: null,
    controller: null,
    seq: 0,
    view: "diff",
    openId: null,
    focusFromPointer: false,
    undo: null,
    notice: ""
  };

  // ------------------------------------------------------------------------------------ offsets

  /** map[i] = UTF-16 index of code point i (map has one extra entry for the end). */
  function unitMap(text) {
    var map = [0];
    var u = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { i++; u += 2; map.push(u); continue; }
      }
      u += 1;
      map.push(u);
    }
    return map;
  }

  function toCodePoint(map, units) {
    var lo = 0, hi = map.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (map[mid] <= units) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // -------------------------------------------------------------------------------------- helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else if (k === "class") node.className = attrs[k];
        else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function checkClass(check) {
    return "c-" + (LABELS[check] ? check : "team");
  }

  function label(check) {
    return LABELS[check] || check.replace(/[_.]+/g, " ").replace(/^\w/, function (c) { return c.toUpperCase(); });
  }

  function setStatus(text, isError) {
    statusEl.textContent = text || "";
    statusEl.classList.toggle("error", !!isError);
  }

  function headers() {
    var h = { "Content-Type": "application/json" };
    if (token && tokenHeader) h[tokenHeader] = token;
    return h;
  }

  function goal() {
    var checked = document.querySelector('input[name="goal"]:checked');
    return checked ? checked.value : "satisfaction";
  }

  function errorMessage(status, body) {
    if (body && body.error && body.error.message) return body.error.message;
    if (status === 429) return "Too many checks in a short time; wait a moment.";
    return "The check failed (HTTP " + status + ").";
  }

  // ----------------------------------------------------------------------------------- checking

  function busy(on) {
    findingsPanelEl.setAttribute("aria-busy", on ? "true" : "false");
  }

  function schedule(delay) {
    busy(true);
    clearTimeout(state.timer);
    state.timer = setTimeout(runCheck, delay === undefined ? DEBOUNCE_MS : delay);
  }

  function runCheck() {
    var draft = draftEl.value;
    if (state.controller) state.controller.abort();
    if (!draft.trim()) {
      state.report = null;
      state.checkedDraft = null;
      render();
      setStatus("");
      busy(false);
      return;
    }
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    state.controller = controller;
    var seq = ++state.seq;
    var payload = {
      draft: draft,
      context: contextEl.value.trim() ? contextEl.value : null,
      goal: goal(),
      language: languageEl.value || null
    };
    if (standardsEl && standardsEl.value && standardsEl.value !== "default") payload.standards = standardsEl.value;
    setStatus((state.notice ? state.notice + " " : "") + "Checking…");
    var started = performance.now();
    fetch("/api/v1/check", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(payload),
      signal: controller ? controller.signal : undefined,
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (body) {
        if (seq !== state.seq) return;
        busy(draftEl.value !== draft);
        if (!resp.ok) {
          state.report = null;
          state.checkedDraft = null;
          render();
          setStatus(errorMessage(resp.status, body), true);
          return;
        }
        state.report = body.result;
        state.checkedDraft = draft;
        render();
        var n = body.result.findings.length;
        var notice = state.notice ? state.notice + " " : "";
        state.notice = "";
        setStatus(notice + (n === 0 ? "No problems found" : n + (n === 1 ? " finding" : " findings")) +
          " · checked in " + Math.round(performance.now() - started) + " ms");
      });
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;
      if (seq === state.seq) {
        busy(false);
        setStatus("Cannot reach the server. Check your connection and try again.", true);
      }
    });
  }

  // ------------------------------------------------------------------------------------ rendering

  function render() {
    var report = state.report;
    var fresh = report && state.checkedDraft === draftEl.value;
    renderLanguage(report);
    renderHighlights(fresh ? report : null);
    renderFindings(report);
    renderRewrite(report);
  }

  function renderLanguage(report) {
    if (!report) {
      langEl.textContent = "";
      contextTypeEl.hidden = true;
      setDirection(languageEl.value);
      return;
    }
    var lang = report.language;
    var name = LANG_NAMES[lang.code] || lang.code;
    langEl.textContent = lang.source === "detected"
      ? "Detected: " + name + " (" + Math.round(lang.confidence * 100) + "%)"
      : "Language: " + name;
    langEl.setAttribute("data-code", lang.code);
    setDirection(lang.code);
    var ctx = report.context;
    contextTypeEl.hidden = false;
    contextTypeEl.textContent = "Customer's message: " + ctx.type +
      (ctx.source === "draft" ? " (guessed from the draft; paste the message for a reliable answer)" : "");
  }

  function setDirection(code) {
    var dir = code ? (RTL[code] ? "rtl" : "ltr") : "auto";
    [draftEl, backdropEl, rewriteEl].forEach(function (node) {
      node.setAttribute("dir", dir);
      if (code) node.setAttribute("lang", code); else node.removeAttribute("lang");
    });
    editorEl.setAttribute("dir", dir === "auto" ? "ltr" : dir);
  }

  /** Segments of the draft with the findings covering them (spans may nest or overlap). */
  function segments(text, report) {
    var map = unitMap(text);
    var bounds = [0, text.length];
    var ranges = [];
    if (report) {
      report.findings.forEach(function (f, idx) {
        f.spans.forEach(function (s) {
          var a = map[Math.min(s.start, map.length - 1)], b = map[Math.min(s.end, map.length - 1)];
          if (b > a) { ranges.push({ a: a, b: b, f: f, idx: idx }); bounds.push(a, b); }
        });
      });
    }
    var ph;
    PLACEHOLDER.lastIndex = 0;
    while ((ph = PLACEHOLDER.exec(text)) !== null) {
      ranges.push({ a: ph.index, b: ph.index + ph[0].length, ph: true });
      bounds.push(ph.index, ph.index + ph[0].length);
    }
    bounds = bounds.filter(function (v, i, arr) { return arr.indexOf(v) === i; }).sort(function (x, y) { return x - y; });
    var out = [];
    for (var i = 0; i + 1 < bounds.length; i++) {
      var a = bounds[i], b = bounds[i + 1];
      var covering = ranges.filter(function (r) { return r.a <= a && b <= r.b; });
      out.push({ a: a, b: b, covering: covering });
    }
    return out;
  }

  function renderHighlights(report) {
    var text = draftEl.value;
    var frag = document.createDocumentFragment();
    segments(text, report).forEach(function (seg) {
      var piece = text.slice(seg.a, seg.b);
      if (!seg.covering.length) { frag.appendChild(document.createTextNode(piece)); return; }
      var findings = seg.covering.filter(function (r) { return r.f; });
      var mark = document.createElement("mark");
      if (findings.length) {
        findings.sort(function (x, y) { return (x.b - x.a) - (y.b - y.a); });
        var top = findings[0].f;
        mark.className = "hl " + checkClass(top.check);
        mark.setAttribute("data-ids", findings.map(function (r) { return r.f.id; }).join(" "));
        if (state.openId && findings.some(function (r) { return r.f.id === state.openId; })) mark.classList.add("active");
      } else {
        mark.className = "hl ph-mark";
      }
      mark.textContent = piece;
      frag.appendChild(mark);
    });
    // a trailing newline needs a character after it, or the last line collapses in the backdrop
    frag.appendChild(document.createTextNode("\u200b"));
    highlightsEl.replaceChildren(frag);
    syncScroll();
  }

  function syncScroll() {
    backdropEl.scrollTop = draftEl.scrollTop;
    backdropEl.scrollLeft = draftEl.scrollLeft;
    highlightsEl.style.minHeight = draftEl.scrollHeight + "px";
  }

  function editsFor(report, findingId) {
    return report.rewrite.edits.filter(function (e) { return e.finding === findingId; });
  }

  function renderFindings(report) {
    findingsEl.replaceChildren();
    idleEl.hidden = !!report || !!draftEl.value.trim();
    if (!report) {
      countEl.textContent = "";
      emptyEl.hidden = true;
      applyAllEl.disabled = true;
      return;
    }
    var draft = state.checkedDraft;
    var map = unitMap(draft);
    var findings = report.findings;
    countEl.textContent = findings.length ? String(findings.length) : "";
    emptyEl.hidden = findings.length > 0;
    applyAllEl.disabled = !report.rewrite.changed;
    if (state.openId && !findings.some(function (f) { return f.id === state.openId; })) state.openId = null;
    findings.forEach(function (f, n) {
      var headId = "finding-" + n;
      var bodyId = headId + "-body";
      var open = state.openId === f.id;
      var quotes = el("ul", { class: "quotes", "aria-label": "Words at fault", dir: "auto", lang: report.language.code },
        f.spans.map(function (s) { return el("li", { text: draft.slice(map[s.start], map[s.end]) }); }));
      var edits = editsFor(report, f.id);
      var unresolved = report.rewrite.unresolved.indexOf(f.id) >= 0;
      var fixRow;
      if (edits.length && !unresolved) {
        var preview = edits.map(function (e) { return e.replacement.trim(); }).filter(Boolean).join(" … ");
        fixRow = el("div", { class: "fix-row" }, [
          el("button", { type: "button", class: "button apply-one", "data-id": f.id,
            "aria-label": "Apply the fix for " + label(f.check) }, ["Apply fix"]),
          preview ? el("span", { class: "fix-preview", dir: "auto", text: preview.length > 140 ? preview.slice(0, 139) + "…" : preview }) :
            el("span", { class: "fix-preview", text: "removes the words at fault" })
        ]);
      } else {
        fixRow = el("p", { class: "no-fix", text: "No automatic fix: reword this by hand." });
      }
      var source = f.source || {};
      var sourceLine = el("p", { class: "source" }, [
        el("strong", { text: "Research: " }),
        source.url ? el("a", { href: source.url, target: "_blank", rel: "noopener noreferrer", text: source.title || source.url }) :
          document.createTextNode(source.title || ""),
        source.citation ? document.createTextNode(" — " + source.citation) : null
      ]);
      var body = el("div", { class: "finding-body", id: bodyId, role: "region", "aria-labelledby": headId }, [
        quotes,
        el("p", { class: "explanation", dir: "auto", lang: f.language, text: f.explanation }),
        fixRow,
        sourceLine
      ]);
      body.hidden = !open;
      var head = el("button", {
        type: "button", class: "finding-head", id: headId, "aria-expanded": open ? "true" : "false",
        "aria-controls": bodyId, "data-id": f.id
      }, [
        el("span", { class: "finding-check" }, [el("span", { class: "swatch" }), label(f.check)]),
        el("span", { class: "sev sev-" + f.severity, text: f.severity }),
        el("span", { class: "finding-msg", dir: "auto", lang: f.language, text: f.message })
      ]);
      var item = el("li", { class: "finding " + checkClass(f.check) + (open ? " open" : ""), "data-check": f.check, "data-id": f.id },
        [head, body]);
      findingsEl.appendChild(item);
    });
  }

  function openFinding(id, announce) {
    state.openId = id;
    Array.prototype.forEach.call(findingsEl.children, function (item) {
      var isOpen = item.getAttribute("data-id") === id;
      item.classList.toggle("open", isOpen);
      item.querySelector(".finding-head").setAttribute("aria-expanded", isOpen ? "true" : "false");
      item.querySelector(".finding-body").hidden = !isOpen;
    });
    Array.prototype.forEach.call(highlightsEl.querySelectorAll("mark[data-ids]"), function (m) {
      m.classList.toggle("active", !!id && m.getAttribute("data-ids").split(" ").indexOf(id) >= 0);
    });
    if (id && announce && state.report) {
      var f = state.report.findings.filter(function (x) { return x.id === id; })[0];
      if (f) {
        // the message may run right to left: isolate it so the punctuation stays with it
        setStatus(label(f.check) + ": ");
        statusEl.appendChild(el("bdi", { lang: f.language, text: f.message }));
      }
    }
  }

  function renderRewrite(report) {
    rewriteEl.replaceChildren();
    notesEl.replaceChildren();
    placeholderNoteEl.hidden = true;
    copyEl.disabled = !report;
    if (!report) return;
    var rw = report.rewrite;
    var draft = state.checkedDraft;
    var map = unitMap(draft);
    rewriteEl.classList.toggle("clean", state.view === "clean");
    if (!rw.changed) {
      appendWithPlaceholders(rewriteEl, draft);
    } else {
      // walk the draft: kept text, <del> for what goes, <ins> for what comes (placeholders marked)
      var pos = 0;
      rw.edits.slice().sort(function (a, b) { return a.start - b.start || a.end - b.end; }).forEach(function (e) {
        var a = map[e.start], b = map[e.end];
        if (a > pos) appendWithPlaceholders(rewriteEl, draft.slice(pos, a));
        if (b > a) rewriteEl.appendChild(el("del", { text: draft.slice(a, b) }));
        if (e.replacement) {
          var ins = el("ins");
          appendWithPlaceholders(ins, e.replacement);
          rewriteEl.appendChild(ins);
        }
        pos = Math.max(pos, b);
      });
      if (pos < draft.length) appendWithPlaceholders(rewriteEl, draft.slice(pos));
    }
    placeholderNoteEl.hidden = !rewriteEl.querySelector("mark.ph");
    rw.notes.forEach(function (note) {
      var m = /^([^:@\s]+)@[^:]*:\s*(.*)$/.exec(note);
      notesEl.appendChild(el("li", { dir: "auto", text: m ? label(m[1]) + ": " + m[2] : note }));
    });
  }

  function appendWithPlaceholders(parent, text) {
    var last = 0, m;
    PLACEHOLDER.lastIndex = 0;
    while ((m = PLACEHOLDER.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      parent.appendChild(el("mark", { class: "ph", text: m[0] }));
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ------------------------------------------------------------------------------------- actions

  function replaceDraft(text, message) {
    state.undo = draftEl.value;
    draftEl.value = text;
    state.openId = null;
    render();
    state.notice = message;
    schedule(0);
    undoEl.hidden = false;
  }

  function undo() {
    if (state.undo === null) return;
    draftEl.value = state.undo;
    state.undo = null;
    undoEl.hidden = true;
    state.openId = null;
    render();
    schedule(0);
    setStatus("Undone.");
    draftEl.focus();
  }

  function applyOne(id) {
    var report = state.report;
    if (!report || state.checkedDraft !== draftEl.value) return;
    var edits = editsFor(report, id);
    if (!edits.length) return;
    fetch("/api/v1/rewrite", {
      method: "POST", headers: headers(), credentials: "same-origin",
      body: JSON.stringify({ draft: state.checkedDraft, edits: edits })
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) { setStatus(errorMessage(resp.status, body), true); return; }
        var f = report.findings.filter(function (x) { return x.id === id; })[0];
        replaceDraft(body.result.text, "Applied the fix for " + label(f ? f.check : "") + ".");
        $("findings-title").focus();
      });
    }).catch(function () { setStatus("Cannot reach the server.", true); });
  }

  function applyAll() {
    var report = state.report;
    if (!report || !report.rewrite.changed) return;
    var hasPlaceholders = report.rewrite.placeholders.length > 0;
    replaceDraft(report.rewrite.text,
      "Applied all fixes." + (hasPlaceholders ? " Fill in the placeholders in [brackets]." : ""));
    draftEl.focus();
    var first = report.rewrite.placeholders[0];
    if (first) {
      var map = unitMap(report.rewrite.text);
      draftEl.setSelectionRange(map[first.start], map[first.end]);
    }
  }

  function copyRewrite() {
    var report = state.report;
    if (!report) return;
    var text = report.rewrite.text;
    var done = function () { setStatus("Copied the suggested reply to the clipboard."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text) ? done() : setStatus("Copy failed; select the text and copy it.", true); });
    } else if (fallbackCopy(text)) {
      done();
    } else {
      setStatus("Copy failed; select the text and copy it.", true);
    }
  }

  function fallbackCopy(text) {
    var area = el("textarea", { "aria-hidden": "true", readonly: "readonly" });
    area.value = text;
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function caretFinding() {
    var report = state.report;
    if (!report || state.checkedDraft !== draftEl.value) return;
    var map = unitMap(draftEl.value);
    var cp = toCodePoint(map, draftEl.selectionStart);
    var best = null;
    report.findings.forEach(function (f) {
      f.spans.forEach(function (s) {
        if (s.start <= cp && cp < s.end && (!best || s.end - s.start < best.len)) best = { id: f.id, len: s.end - s.start };
      });
    });
    if (best && best.id !== state.openId) openFinding(best.id, true);
  }

  function loadHealth() {
    fetch("/api/v1/health", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (body) {
      var e = body.result.engine;
      var dot = el("span", { class: "dot " + (e.model_loaded ? "ok" : "warn"), "aria-hidden": "true" });
      var text = e.model_loaded ? "Engine: trained model + lexicon" : "Engine: lexicon only";
      engineEl.replaceChildren(dot, document.createTextNode(text));
      engineEl.title = e.reason || (e.encoder ? "Encoder: " + e.encoder : "");
    }).catch(function () { engineEl.textContent = ""; });
  }

  // ------------------------------------------------------------------------------------- wiring

  undoEl.addEventListener("click", undo);
  draftEl.addEventListener("input", function () {
    state.undo = null;
    undoEl.hidden = true;
    renderHighlights(state.checkedDraft === draftEl.value ? state.report : null);
    idleEl.hidden = !!draftEl.value.trim();
    schedule();
  });
  contextEl.addEventListener("input", function () { schedule(); });
  languageEl.addEventListener("change", function () { schedule(0); });
  if (standardsEl) standardsEl.addEventListener("change", function () { schedule(0); });
  Array.prototype.forEach.call(document.querySelectorAll('input[name="goal"]'), function (r) {
    r.addEventListener("change", function () { schedule(0); });
  });
  draftEl.addEventListener("scroll", syncScroll);
  draftEl.addEventListener("click", caretFinding);
  draftEl.addEventListener("keyup", function (ev) {
    if (/^(Arrow|Home|End|Page)/.test(ev.key)) caretFinding();
  });
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(syncScroll).observe(draftEl);

  findingsEl.addEventListener("mousedown", function () { state.focusFromPointer = true; });
  findingsEl.addEventListener("focusin", function (ev) {
    var head = ev.target.closest(".finding-head");
    if (head && !state.focusFromPointer) openFinding(head.getAttribute("data-id"), true);
  });
  findingsEl.addEventListener("click", function (ev) {
    state.focusFromPointer = false;
    var apply = ev.target.closest(".apply-one");
    if (apply) { applyOne(apply.getAttribute("data-id")); return; }
    var head = ev.target.closest(".finding-head");
    if (!head) return;
    var id = head.getAttribute("data-id");
    openFinding(state.openId === id ? null : id, true);
  });

  applyAllEl.addEventListener("click", applyAll);
  copyEl.addEventListener("click", copyRewrite);
  Array.prototype.forEach.call(document.querySelectorAll(".toggle-btn"), function (btn) {
    btn.addEventListener("click", function () {
      state.view = btn.getAttribute("data-view");
      Array.prototype.forEach.call(document.querySelectorAll(".toggle-btn"), function (b) {
        b.setAttribute("aria-pressed", b === btn ? "true" : "false");
      });
      rewriteEl.classList.toggle("clean", state.view === "clean");
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-example]"), function (btn) {
    btn.addEventListener("click", function () {
      var ex = EXAMPLES[btn.getAttribute("data-example")];
      contextEl.value = ex.context;
      draftEl.value = ex.draft;
      languageEl.value = "";
      state.openId = null;
      renderHighlights(null);
      schedule(0);
      draftEl.focus();
    });
  });
  $("clear").addEventListener("click", function () {
    contextEl.value = "";
    draftEl.value = "";
    state.report = null;
    state.checkedDraft = null;
    state.openId = null;
    render();
    setStatus("");
    contextEl.focus();
  });

  loadHealth();
  render();
  if (draftEl.value.trim()) schedule(0);
})();
