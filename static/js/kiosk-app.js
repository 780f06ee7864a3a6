/* The offline counter kiosk (portal/kiosk): enrolment, signed queue, exactly-once sync.
 *
 * On enrolment the tablet's key is imported as a non-extractable WebCrypto HMAC key and
 * kept in IndexedDB with the device id; the page, styles, faces and both languages are
 * cached for offline use. Each tap queues one rating {random id, device time, score,
 * comment} signed with HMAC-SHA256 over exactly the fields the server checks
 * (portal/kiosk/services.py: item_message). The queue is sent in batches; only items the
 * server answered for (stored, duplicate or refused) leave the queue, so a cut connection
 * just sends them again and the server stores each once.
 */
(function () {
  "use strict";

  var DB_NAME = "portal-kiosk";
  var enc = new TextEncoder();

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        var db = req.result;
        db.createObjectStore("config");
        db.createObjectStore("queue", { keyPath: "id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(db, store, mode, fn) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(store, mode);
      var result;
      var req = fn(tx.objectStore(store));
      if (req) req.onsuccess = function () { result = req.result; };
      tx.oncomplete = function () { resolve(result); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return hex(bytes.buffer);
  }

  function fromBase64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function sign(key, fields) {
    return crypto.subtle.sign("HMAC", key, enc.encode(fields.join("\n"))).then(hex);
  }

  function signItem(key, device, item) {
    return sign(key, ["v1", String(device), item.id, String(item.t), String(item.score), item.comment]);
  }

  function cacheAll(urls) {
    if (!("caches" in window)) return Promise.resolve();
    return caches.open("portal-kiosk-v1").then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return fetch(url, { credentials: "same-origin", cache: "no-cache" }).then(function (resp) {
          if (resp.ok) return cache.put(url, resp);
        }).catch(function () { /* offline: keep what is cached */ });
      }));
    });
  }

  /* Resolves once the worker is active (``serviceWorker.ready`` would wait forever on
   * the enrolment page, which is outside the worker's scope), or after 10 s regardless. */
  function registerWorker(el) {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    var registered = navigator.serviceWorker.register(el.dataset.swUrl, { scope: el.dataset.swScope })
      .then(function (reg) {
        var worker = reg.installing || reg.waiting || reg.active;
        if (!worker || worker.state === "activated") return reg;
        return new Promise(function (resolve) {
          worker.addEventListener("statechange", function () {
            if (worker.state === "activated" || worker.state === "redundant") resolve(reg);
          });
        });
      })
      .catch(function () { /* without a service worker the app still works online */ });
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 10000); });
    return Promise.race([registered, timeout]);
  }

  // Enrolment page ----------------------------------------------------------------------

  function enrol(el) {
    var device = Number(el.dataset.device);
    var raw = fromBase64url(el.dataset.key);
    el.removeAttribute("data-key");
    var failed = function () {
      document.getElementById("kiosk-enrol-failed").hidden = false;
    };
    crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) {
        return openDb().then(function (db) {
          return run(db, "config", "readwrite", function (s) {
            return s.put({ device: device, key: key, counter: el.dataset.counter, lastSync: null, revoked: false }, "device");
          });
        });
      })
      .then(function () { return registerWorker(el); })
      .then(function () { return cacheAll(JSON.parse(el.dataset.cached)); })
      .then(function () { location.replace(el.dataset.appUrl); })
      .catch(failed);
  }

  // The app -----------------------------------------------------------------------------

  function App(el) {
    this.el = el;
    this.device = Number(el.dataset.device);
    this.syncUrl = el.dataset.syncUrl;
    this.minGap = Number(el.dataset.minGap) * 1000;
    this.batch = Number(el.dataset.batch) || 50;
    this.commentSeconds = Number(el.dataset.commentSeconds) || 12;
    this.thanksSeconds = Number(el.dataset.thanksSeconds) || 3;
    this.startUrl = el.dataset.startUrl;
    this.lastTap = 0;
    this.current = null;
    this.timer = null;
    this.syncing = false;
  }

  App.prototype.start = function () {
    var self = this;
    return openDb().then(function (db) {
      self.db = db;
      return run(db, "config", "readonly", function (s) { return s.get("device"); });
    }).then(function (config) {
      self.el.hidden = false;
      if (!config || config.device !== self.device) {
        document.getElementById("kiosk-start").hidden = true;
        document.getElementById("kiosk-unenrolled").hidden = false;
        return;
      }
      self.config = config;
      if (config.revoked) document.getElementById("kiosk-revoked").hidden = false;
      self.bind();
      registerWorker(self.el).then(function () {
        // Refresh the cached copies whenever the app opens online.
        if (navigator.onLine) cacheAll(JSON.parse(self.el.dataset.cached));
      });
      window.addEventListener("online", function () { self.sync(); });
      setInterval(function () { self.sync(); }, 60000);
      return self.finishHeld().then(function () { return self.sync(); });
    }).then(function () {
      self.el.setAttribute("data-ready", "1");
    });
  };

  App.prototype.bind = function () {
    var self = this;
    Array.prototype.forEach.call(this.el.querySelectorAll(".kiosk-face"), function (button) {
      button.addEventListener("click", function () { self.tap(Number(button.dataset.score)); });
    });
    document.getElementById("kiosk-done").addEventListener("click", function () { self.finish(""); });
    document.getElementById("kiosk-send-comment").addEventListener("click", function () {
      self.finish(document.getElementById("kiosk-comment").value);
    });
    document.getElementById("kiosk-comment").addEventListener("input", function () { self.restartTimer(); });
    document.getElementById("kiosk-sync-now").addEventListener("click", function () { self.sync(); });
  };

  App.prototype.show = function (id) {
    ["kiosk-start", "kiosk-after", "kiosk-thanks"].forEach(function (screen) {
      document.getElementById(screen).hidden = screen !== id;
    });
  };

  App.prototype.put = function (item) {
    var self = this;
    return signItem(this.config.key, this.device, item).then(function (sig) {
      item.sig = sig;
      return run(self.db, "queue", "readwrite", function (s) { return s.put(item); });
    });
  };

  /* One tap, one rating: queued and signed at once (a tablet switched off on the
   * comment screen keeps it), held back from sync only while a comment may follow. */
  App.prototype.tap = function (score) {
    var now = Date.now();
    if (this.current || now - this.lastTap < this.minGap) {
      var wait = document.getElementById("kiosk-wait");
      wait.hidden = false;
      setTimeout(function () { wait.hidden = true; }, 1500);
      return;
    }
    this.lastTap = now;
    var item = { id: randomId(), device: this.device, t: now, score: score, comment: "", held: true };
    this.current = item;
    document.getElementById("kiosk-comment").value = "";
    this.show("kiosk-after");
    this.restartTimer();
    this.put(item).then(this.updateStatus.bind(this));
  };

  App.prototype.restartTimer = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.finish(document.getElementById("kiosk-comment").value); }, this.commentSeconds * 1000);
  };

  App.prototype.finish = function (comment) {
    var self = this;
    var item = this.current;
    clearTimeout(this.timer);
    if (!item) return;
    this.current = null;
    item.comment = (comment || "").trim();
    item.held = false;
    this.show("kiosk-thanks");
    this.put(item).then(function () {
      self.updateStatus();
      self.sync();
    });
    setTimeout(function () {
      if (document.documentElement.lang !== "vi") {
        location.replace(self.startUrl);
      } else if (!self.current) {
        self.show("kiosk-start");
      }
    }, this.thanksSeconds * 1000);
  };

  /* A page closed or reloaded on the comment screen: its rating is final as it is. */
  App.prototype.finishHeld = function () {
    var self = this;
    return this.items().then(function (items) {
      return Promise.all(items.filter(function (i) { return i.held; }).map(function (i) {
        i.held = false;
        return self.put(i);
      }));
    }).then(this.updateStatus.bind(this));
  };

  App.prototype.items = function () {
    return run(this.db, "queue", "readonly", function (s) { return s.getAll(); });
  };

  App.prototype.saveConfig = function () {
    var config = this.config;
    return run(this.db, "config", "readwrite", function (s) { return s.put(config, "device"); });
  };

  App.prototype.updateStatus = function () {
    var self = this;
    return this.items().then(function (items) {
      var pending = items.filter(function (i) { return i.device === self.device; }).length;
      document.getElementById("kiosk-pending").textContent = String(pending);
      if (self.config.lastSync) {
        var d = new Date(self.config.lastSync);
        var pad = function (n) { return ("0" + n).slice(-2); };
        document.getElementById("kiosk-last-sync").textContent =
          pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + pad(d.getDate()) + "/" + pad(d.getMonth() + 1);
      }
      self.el.setAttribute("data-pending", String(pending));
      return pending;
    });
  };

  /* Send the queue in batches, one tab at a time (Web Locks where available; the server
   * stores each rating once in any case). Stops at the first failure: what was not
   * answered for stays queued for the next attempt. */
  App.prototype.sync = function () {
    var self = this;
    if (this.config.revoked || this.syncing || !navigator.onLine) return Promise.resolve();
    var work = function () { return self.syncBatches(); };
    this.syncing = true;
    var locked = navigator.locks ? navigator.locks.request("portal-kiosk-sync", work) : work();
    return Promise.resolve(locked).catch(function () { /* offline or cut: retried later */ })
      .then(function () {
        self.syncing = false;
        return self.updateStatus();
      });
  };

  App.prototype.syncBatches = function () {
    var self = this;
    return this.items().then(function (all) {
      var mine = all.filter(function (i) { return i.device === self.device; });
      var ready = mine.filter(function (i) { return !i.held; })
        .sort(function (a, b) { return a.t - b.t; }).slice(0, self.batch);
      if (!ready.length) return null;
      var sent = Date.now();
      var pending = mine.length;
      return sign(self.config.key, ["v1", "batch", String(self.device), String(sent), String(pending)])
        .then(function (sig) {
          var body = {
            device: self.device, sent: sent, pending: pending, sig: sig,
            items: ready.map(function (i) {
              return { id: i.id, t: i.t, score: i.score, comment: i.comment, sig: i.sig };
            })
          };
          return fetch(self.syncUrl, {
            method: "POST", credentials: "omit", cache: "no-store",
            headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
          });
        })
        .then(function (resp) {
          if (resp.status === 403) {
            self.config.revoked = true;
            document.getElementById("kiosk-revoked").hidden = false;
            return self.saveConfig().then(function () { return null; });
          }
          if (!resp.ok) throw new Error("sync " + resp.status);
          return resp.json();
        })
        .then(function (answer) {
          if (!answer) return null;
          var done = answer.items.filter(function (r) {
            return r.status === "stored" || r.status === "duplicate" || r.status === "refused";
          }).map(function (r) { return r.id; });
          return run(self.db, "queue", "readwrite", function (s) {
            done.forEach(function (id) { s.delete(id); });
          }).then(function () {
            self.config.lastSync = Date.now();
            return self.saveConfig();
          }).then(function () {
            return self.updateStatus();
          }).then(function () {
            if (ready.length === self.batch && done.length) return self.syncBatches();
            return null;
          });
        });
    });
  };

  var enrolEl = document.getElementById("kiosk-enrol");
  if (enrolEl) enrol(enrolEl);
  var appEl = document.getElementById("kiosk");
  if (appEl) {
    window.portalKiosk = new App(appEl);
    window.portalKiosk.start();
  }
})();
