(function () {
  'use strict';
  // Everything the page shows is rendered on the server and escaped there; this script only filters, copies and
  // opens. It only sets textContent and attributes, never parses strings as markup, so it cannot turn untrusted text into HTML.
  var rules = Array.prototype.slice.call(document.querySelectorAll('.rule'));
  var areas = Array.prototype.slice.call(document.querySelectorAll('.area'));
  var shown = document.querySelector('[data-testid="visible-count"]');
  var empty = document.querySelector('[data-testid="no-match"]');
  var search = document.querySelector('[data-testid="search"]');
  var state = { verdict: 'all', level: 'all', terms: [] };

  function matches(rule) {
    if (state.verdict !== 'all' && rule.getAttribute('data-verdict') !== state.verdict) return false;
    if (state.level !== 'all' && rule.getAttribute('data-level') !== state.level) return false;
    var haystack = rule.getAttribute('data-search') || '';
    for (var i = 0; i < state.terms.length; i++) {
      if (haystack.indexOf(state.terms[i]) === -1) return false;
    }
    return true;
  }

  function apply() {
    var visible = 0;
    rules.forEach(function (rule) {
      var ok = matches(rule);
      rule.hidden = !ok;
      if (ok) visible++;
    });
    areas.forEach(function (area) {
      area.hidden = !area.querySelector('.rule:not([hidden])');
    });
    if (shown) shown.textContent = visible + ' of ' + rules.length + ' rules';
    if (empty) empty.hidden = visible !== 0 || rules.length === 0;
  }

  function press(group, value) {
    document.querySelectorAll('[data-filter="' + group + '"]').forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-value') === value ? 'true' : 'false');
    });
    state[group] = value;
    apply();
  }

  document.querySelectorAll('[data-filter]').forEach(function (button) {
    button.addEventListener('click', function () {
      var group = button.getAttribute('data-filter');
      var value = button.getAttribute('data-value');
      // Clicking the active filter again clears it, which is what people try first.
      press(group, state[group] === value && value !== 'all' ? 'all' : value);
    });
  });

  if (search) {
    search.addEventListener('input', function () {
      state.terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      apply();
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === '/' && document.activeElement !== search && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault();
        search.focus();
      }
    });
  }

  function setAll(open) {
    rules.forEach(function (rule) { if (!rule.hidden) rule.open = open; });
  }
  var expand = document.querySelector('[data-testid="expand-all"]');
  var collapse = document.querySelector('[data-testid="collapse-all"]');
  if (expand) expand.addEventListener('click', function () { setAll(true); });
  if (collapse) collapse.addEventListener('click', function () { setAll(false); });

  // Copy: the async clipboard API where the browser allows it (file:// is a secure context in Chromium), otherwise
  // select the command and use execCommand, leaving it selected so Ctrl+C still works if even that is refused.
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallbackCopy(node) {
    selectText(node);
    try { return document.execCommand('copy'); } catch (e) { return false; }
  }

  function feedback(button, text, ok) {
    var label = button.getAttribute('data-label') || 'Copy';
    button.textContent = text;
    button.classList.toggle('is-copied', ok);
    var live = document.querySelector('[data-testid="live"]');
    if (live) live.textContent = text;
    clearTimeout(button._reset);
    button._reset = setTimeout(function () {
      button.textContent = label;
      button.classList.remove('is-copied');
    }, 2000);
  }

  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function (event) {
      event.preventDefault();
      event.stopPropagation();
      var node = document.getElementById(button.getAttribute('data-copy'));
      if (!node) return;
      var text = node.textContent;
      var done = function (ok) { feedback(button, ok ? 'Copied' : 'Press Ctrl+C', ok); };
      if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(node)); });
      } else {
        done(fallbackCopy(node));
      }
    });
  });

  // A link to index.html#rule-DK-SIG-01 opens that rule, so reports can be pointed at from chat and CI logs.
  function openFromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (target && target.tagName === 'DETAILS') {
      if (target.hidden) {
        // The linked rule is filtered out: clear the filters rather than show it out of context.
        state.terms = [];
        if (search) search.value = '';
        press('level', 'all');
        press('verdict', 'all');
      }
      target.open = true;
      target.scrollIntoView({ block: 'start' });
    }
  }
  window.addEventListener('hashchange', openFromHash);

  apply();
  openFromHash();
})();
