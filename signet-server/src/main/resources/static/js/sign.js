/*
 * The "Sign files" page (/sign): files dropped on #sign-drop (or chosen in #sign-files) are hashed
 * here with Web Crypto (crypto.subtle.digest, with the digest the chosen key signs: SHA-256, SHA-384
 * or SHA-512); only {name, digest} pairs are POSTed to /sign as JSON, with the CSRF token from
 * <meta name="_csrf">. The answer is one .p7s or a zip of them, saved through a download link.
 * Refusals arrive as problem+json and are shown in #sign-error (a key that needs a fresh second
 * factor links to the step-up page). No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  'use strict';

  var ALGORITHMS = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

  var form = document.getElementById('sign-form');
  if (!form) {
    return;
  }
  var drop = document.getElementById('sign-drop');
  var input = document.getElementById('sign-files');
  var keySelect = document.getElementById('sign-key');
  var timestamp = document.getElementById('sign-timestamp');
  var listWrap = document.getElementById('sign-list-wrap');
  var listBody = document.getElementById('sign-list-body');
  var submit = document.getElementById('sign-submit');
  var clear = document.getElementById('sign-clear');
  var errorBox = document.getElementById('sign-error');
  var statusBox = document.getElementById('sign-status');
  var download = document.getElementById('sign-download');
  var maxBatch = parseInt(form.getAttribute('data-max-batch'), 10) || 1000;

  var files = [];
  var busy = false;
  var lastUrl = null;

  function csrf() {
    var meta = document.querySelector('meta[name="_csrf"]');
    var header = document.querySelector('meta[name="_csrf_header"]');
    return {
      header: header && header.getAttribute('content') ? header.getAttribute('content') : 'X-CSRF-TOKEN',
      token: meta ? meta.getAttribute('content') : null
    };
  }

  function size(bytes) {
    if (bytes < 1024) {
      return bytes + ' B';
    }
    var units = ['KB', 'MB', 'GB', 'TB'];
    var value = bytes / 1024;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return value.toFixed(value < 10 ? 1 : 0) + ' ' + units[unit];
  }

  function show(box, text) {
    box.textContent = text;
    box.hidden = !text;
  }

  function showError(text, link) {
    errorBox.textContent = text;
    if (link) {
      errorBox.appendChild(document.createTextNode(' '));
      var a = document.createElement('a');
      a.href = link.href;
      a.id = link.id;
      a.textContent = link.text;
      errorBox.appendChild(a);
    }
    errorBox.hidden = false;
  }

  function refresh() {
    listBody.textContent = '';
    files.forEach(function (entry, index) {
      var row = document.createElement('tr');
      row.id = 'sign-file-' + index;
      var name = document.createElement('td');
      name.className = 'break';
      name.textContent = entry.file.name;
      var bytes = document.createElement('td');
      bytes.className = 'num nowrap mono';
      bytes.textContent = size(entry.file.size);
      var state = document.createElement('td');
      state.className = 'nowrap';
      state.id = 'sign-file-status-' + index;
      state.textContent = entry.state;
      row.appendChild(name);
      row.appendChild(bytes);
      row.appendChild(state);
      listBody.appendChild(row);
    });
    listWrap.hidden = files.length === 0;
    submit.disabled = busy || files.length === 0;
    clear.disabled = busy || files.length === 0;
  }

  function setState(index, text) {
    files[index].state = text;
    var cell = document.getElementById('sign-file-status-' + index);
    if (cell) {
      cell.textContent = text;
    }
  }

  function add(list) {
    show(errorBox, '');
    for (var i = 0; i < list.length; i++) {
      if (files.length >= maxBatch) {
        showError('At most ' + maxBatch + ' files at once: sign these first.');
        break;
      }
      files.push({ file: list[i], state: 'ready' });
    }
    refresh();
  }

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = '';
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    }
    return out;
  }

  /** The file name from Content-Disposition (RFC 6266: filename* first), or a fallback. */
  function filenameOf(response, fallback) {
    var header = response.headers.get('Content-Disposition') || '';
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) {
      try {
        return decodeURIComponent(star[1]);
      } catch (e) {
        // fall through to the plain form
      }
    }
    var plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function save(blob, name) {
    if (lastUrl) {
      URL.revokeObjectURL(lastUrl);
    }
    lastUrl = URL.createObjectURL(blob);
    download.href = lastUrl;
    download.setAttribute('download', name);
    download.textContent = 'Download ' + name + ' again';
    download.hidden = false;
    download.click();
  }

  function problem(response) {
    return response.text().then(function (text) {
      var data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch (e) {
        data = null;
      }
      return {
        code: data && data.code ? data.code : 'http.' + response.status,
        detail: data && data.detail ? data.detail : 'The server refused the request (' + response.status + ').'
      };
    });
  }

  function sign() {
    if (busy || files.length === 0) {
      return;
    }
    if (!window.crypto || !window.crypto.subtle) {
      showError('This browser cannot hash files here: the page must be opened over HTTPS (or on localhost).');
      return;
    }
    var option = keySelect.options[keySelect.selectedIndex];
    var algorithm = ALGORITHMS[option.getAttribute('data-digest')];
    if (!algorithm) {
      showError('This key uses a digest the page does not know.');
      return;
    }
    busy = true;
    show(errorBox, '');
    show(statusBox, '');
    download.hidden = true;
    refresh();
    var items = [];
    var chain = Promise.resolve();
    files.forEach(function (entry, index) {
      chain = chain.then(function () {
        setState(index, 'hashing…');
        return entry.file.arrayBuffer().then(function (buffer) {
          return crypto.subtle.digest(algorithm, buffer);
        }).then(function (digest) {
          items.push({ name: entry.file.name, digest: hex(digest) });
          setState(index, 'hashed');
        });
      });
    });
    chain.then(function () {
      var c = csrf();
      var headers = { 'Content-Type': 'application/json', 'Accept': 'application/octet-stream, application/problem+json' };
      if (c.token) {
        headers[c.header] = c.token;
      }
      show(statusBox, 'Signing ' + items.length + (items.length === 1 ? ' file…' : ' files…'));
      return fetch(form.getAttribute('action') || window.location.pathname, {
        method: 'POST',
        credentials: 'same-origin',
        headers: headers,
        body: JSON.stringify({ key: keySelect.value, timestamp: timestamp.checked, items: items })
      });
    }).then(function (response) {
      if (response.redirected) {
        showError('Your session has ended: sign in again.');
        return null;
      }
      if (!response.ok) {
        return problem(response).then(function (p) {
          if (p.code === 'sign.step_up_required') {
            showError(p.detail, { href: '/account/step-up?next=/sign', id: 'sign-step-up', text: 'Confirm it is you' });
          } else {
            showError(p.detail + ' (' + p.code + ')');
          }
          files.forEach(function (entry, index) { setState(index, 'not signed'); });
          return null;
        });
      }
      var count = parseInt(response.headers.get('X-Signet-Signed'), 10) || items.length;
      var stamped = response.headers.get('X-Signet-Timestamped') === 'true';
      var name = filenameOf(response, count === 1 ? 'signature.p7s' : 'signatures.zip');
      return response.blob().then(function (blob) {
        files.forEach(function (entry, index) { setState(index, 'signed'); });
        save(blob, name);
        show(statusBox, 'Signed ' + count + (count === 1 ? ' file' : ' files') + (stamped ? ', timestamped' : '') +
          ': ' + name + '.');
      });
    }).catch(function (e) {
      showError('Signing failed: ' + (e && e.message ? e.message : e));
    }).then(function () {
      busy = false;
      submit.disabled = files.length === 0;
      clear.disabled = files.length === 0;
    });
  }

  input.addEventListener('change', function () {
    add(input.files);
    input.value = '';
  });
  ['dragenter', 'dragover'].forEach(function (type) {
    drop.addEventListener(type, function (event) {
      event.preventDefault();
      drop.classList.add('over');
    });
  });
  ['dragleave', 'drop'].forEach(function (type) {
    drop.addEventListener(type, function (event) {
      event.preventDefault();
      drop.classList.remove('over');
    });
  });
  drop.addEventListener('drop', function (event) {
    if (event.dataTransfer && event.dataTransfer.files) {
      add(event.dataTransfer.files);
    }
  });
  clear.addEventListener('click', function () {
    files = [];
    show(errorBox, '');
    show(statusBox, '');
    refresh();
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    sign();
  });
  refresh();
})();
