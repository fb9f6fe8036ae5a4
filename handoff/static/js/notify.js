// New-handoff notifications of the inbox: a count in the tab title always; a short sound and
// a browser notification only for agents who switched them on (opt-in, remembered here).
import { h } from "./dom.js";
import { t } from "./i18n.js";

const OPT_IN_KEY = "tokonusa.inbox.notify";
const BASE_TITLE = document.title;
let unseen = 0;
let audio = null;

const optedIn = () => localStorage.getItem(OPT_IN_KEY) === "on";

function beep() {
  try {
    audio = audio || new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.4);
  } catch { /* no audio device: the title badge still tells */ }
}

/** The toggle in the queue pane; switching on asks the browser's permission (a user gesture). */
export function notifyButton() {
  const button = h("button", { type: "button", id: "notify-toggle", className: "ghost small", title: t("notify.hint") });
  const show = () => {
    button.textContent = optedIn() ? t("notify.on") : t("notify.off");
    button.classList.toggle("on", optedIn());
    button.setAttribute("aria-pressed", String(optedIn()));
    button.title = typeof Notification !== "undefined" && Notification.permission === "denied" && optedIn()
      ? t("notify.blocked") : t("notify.hint");
  };
  button.addEventListener("click", async () => {
    if (optedIn()) {
      localStorage.removeItem(OPT_IN_KEY);
    } else {
      localStorage.setItem(OPT_IN_KEY, "on");
      audio = audio || new AudioContext(); // created in the click, so the browser lets it play
      if (typeof Notification !== "undefined" && Notification.permission === "default") {
        await Notification.requestPermission();
      }
    }
    show();
  });
  show();
  return button;
}

/** A new handoff is waiting: the title counts it; opted-in agents also hear and see it
 * (`summary` in their language; clicking the notification calls `open`). */
export function announceNewHandoff(handoff, summary, open) {
  unseen += 1;
  document.title = `(${unseen}) ${BASE_TITLE}`;
  if (!optedIn()) return;
  beep();
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const notification = new Notification(t("notify.title"), {
    body: summary || t(`reason.${handoff.reason}`, handoff.reason), tag: `handoff-${handoff.id}`,
  });
  notification.addEventListener("click", () => { window.focus(); open(); notification.close(); });
}

/** The agent is back (focus, a click or a key): the title count goes. */
export function clearBadge() {
  unseen = 0;
  document.title = BASE_TITLE;
}
