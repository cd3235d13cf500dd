/*
 * Passkeys in the console: signing in (a button with id "passkey-signin", or any element with
 * data-passkey-signin) and adding one (the form with id "passkey-add-form").
 *
 * The server speaks the WebAuthn Level 3 JSON forms: options go through
 * PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON, and the credential
 * goes back as credential.toJSON(). Requests carry the CSRF token from <meta name="_csrf"> (or the
 * page's hidden _csrf field). Refusals arrive as problem+json; their detail is shown in the element
 * with id "passkey-error" (role="alert"). No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  'use strict';

  var SIGN_IN_OPTIONS = '/signin/passkey/options';
  var SIGN_IN = '/signin/passkey';

  function supported() {
    return typeof window.PublicKeyCredential === 'function' &&
      typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
      typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function' &&
      !!navigator.credentials;
  }

  function csrf() {
    var meta = document.querySelector('meta[name="_csrf"]');
    var header = document.querySelector('meta[name="_csrf_header"]');
    var field = document.querySelector('input[name="_csrf"]');
    var token = meta ? meta.getAttribute('content') : (field ? field.value : null);
    return {
      header: header && header.getAttribute('content') ? header.getAttribute('content') : 'X-CSRF-TOKEN',
      token: token
    };
  }

  function post(url, body) {
    var c = csrf();
    var headers = {
      'Content-Type': 'application/json',
      'Accept': 'application/json, application/problem+json'
    };
    if (c.token) {
      headers[c.header] = c.token;
    }
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers,
      body: JSON.stringify(body === undefined ? {} : body)
    }).then(function (response) {
      if (response.redirected) {
        // the session ended meanwhile: the server sent the sign-in page instead of an answer
        return { ok: false, status: 401, data: { code: 'auth.session_ended', detail: 'your session has ended: sign in again' } };
      }
      return response.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = null;
        }
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  /** A failed request as a sentence for people, keeping the problem's stable code. */
  function Refusal(result) {
    var p = result.data || {};
    this.code = p.code || ('http.' + result.status);
    this.message = p.detail || p.title ||
      (result.status === 403 ? 'The request was refused. Reload the page and try again.'
        : 'The server refused the request (' + result.status + ').');
  }

  function errorBox(near) {
    var box = document.getElementById('passkey-error');
    if (!box) {
      box = document.createElement('p');
      box.id = 'passkey-error';
      box.className = 'notice error';
      box.setAttribute('role', 'alert');
      near.parentNode.insertBefore(box, near);
    }
    return box;
  }

  function showError(near, message, code) {
    var box = errorBox(near);
    box.textContent = message.charAt(0).toUpperCase() + message.slice(1);
    if (code) {
      box.setAttribute('data-code', code);
    } else {
      box.removeAttribute('data-code');
    }
    box.hidden = false;
  }

  function clearError(near) {
    var box = document.getElementById('passkey-error');
    if (box) {
      box.hidden = true;
      box.textContent = '';
      box.removeAttribute('data-code');
    }
  }

  /** What a browser-side failure of create() or get() means. */
  function browserMessage(error, creating) {
    switch (error && error.name) {
      case 'NotAllowedError':
        return 'The passkey request was cancelled or timed out.';
      case 'InvalidStateError':
        return creating ? 'This device already holds a passkey for your account.'
          : 'This passkey cannot be used here.';
      case 'SecurityError':
        return 'This address cannot use passkeys (it is not the address the server is configured for).';
      case 'NotSupportedError':
        return 'This device cannot make a passkey of a kind the server accepts.';
      case 'AbortError':
        return 'The passkey request was cancelled.';
      default:
        return 'The passkey request failed' + (error && error.message ? ': ' + error.message : '.');
    }
  }

  function busy(button, on) {
    button.disabled = on;
    if (on) {
      button.setAttribute('aria-busy', 'true');
    } else {
      button.removeAttribute('aria-busy');
    }
  }

  function fail(button, error, creating) {
    busy(button, false);
    if (error instanceof Refusal) {
      showError(button, error.message, error.code);
    } else {
      showError(button, browserMessage(error, creating), error && error.name ? 'browser.' + error.name : null);
    }
  }

  function signIn(button) {
    var optionsUrl = button.getAttribute('data-options') || SIGN_IN_OPTIONS;
    var finishUrl = button.getAttribute('data-finish') || SIGN_IN;
    clearError(button);
    busy(button, true);
    post(optionsUrl).then(function (result) {
      if (!result.ok) {
        throw new Refusal(result);
      }
      var publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(result.data);
      return navigator.credentials.get({ publicKey: publicKey });
    }).then(function (credential) {
      if (!credential) {
        throw new DOMException('no passkey was chosen', 'NotAllowedError');
      }
      return post(finishUrl, credential.toJSON());
    }).then(function (result) {
      if (!result.ok || !result.data || typeof result.data.redirect !== 'string') {
        throw new Refusal(result);
      }
      window.location.assign(result.data.redirect);
    }).catch(function (error) {
      fail(button, error, false);
    });
  }

  function register(form) {
    var button = form.querySelector('button[type="submit"]') || form;
    var nameField = form.querySelector('input[name="name"]');
    var name = nameField ? nameField.value.trim() : '';
    clearError(button);
    // checked before the authenticator makes anything, so no passkey is left on the device unrecorded
    if (name.length < 1 || name.length > 100) {
      showError(button, 'Give the passkey a name of 1 to 100 characters.', 'passkey.name_invalid');
      if (nameField) {
        nameField.focus();
      }
      return;
    }
    busy(button, true);
    post(form.getAttribute('data-options')).then(function (result) {
      if (result.status === 403 && result.data && result.data.code === 'auth.step_up_required') {
        window.location.assign(form.getAttribute('data-step-up'));
        return null;
      }
      if (!result.ok) {
        throw new Refusal(result);
      }
      var publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(result.data);
      return navigator.credentials.create({ publicKey: publicKey }).then(function (credential) {
        if (!credential) {
          throw new DOMException('no passkey was made', 'NotAllowedError');
        }
        return post(form.getAttribute('data-register'), { name: name, credential: credential.toJSON() });
      }).then(function (finish) {
        if (!finish.ok || !finish.data || typeof finish.data.redirect !== 'string') {
          throw new Refusal(finish);
        }
        window.location.assign(finish.data.redirect);
      });
    }).catch(function (error) {
      fail(button, error, true);
    });
  }

  function start() {
    var triggers = document.querySelectorAll('#passkey-signin, [data-passkey-signin]');
    var form = document.getElementById('passkey-add-form');
    if (!supported()) {
      var anything = triggers.length > 0 ? triggers[0] : (form ? form.querySelector('button') : null);
      Array.prototype.forEach.call(triggers, function (b) { b.disabled = true; });
      if (form) {
        Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.disabled = true; });
      }
      if (anything) {
        showError(anything, 'This browser cannot use passkeys here (it needs WebAuthn Level 3 and a secure address).',
          'browser.unsupported');
      }
      return;
    }
    Array.prototype.forEach.call(triggers, function (button) {
      button.addEventListener('click', function (event) {
        event.preventDefault();
        signIn(button);
      });
    });
    if (form) {
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        register(form);
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
