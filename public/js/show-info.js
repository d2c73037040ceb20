/**
 * The show's heading (#show-info: event name, time, venue, the tab's title) and the live
 * indicator in the top bar (#live), which says whether seat changes arrive as they happen.
 */
import { $, setText } from "./dom.js";
import { formatShowTime } from "./format.js";
import { subscribe } from "./state.js";

const LIVE_WORDS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

const TITLES = {
  loading: "Loading the show…",
  empty: "No shows yet",
  failed: "Could not load the show",
};

export function mountShowInfo() {
  subscribe(render);
}

function render({ phase, show, eventName, venueName, live }) {
  setText($("show-title"), TITLES[phase] ?? eventName ?? "Show");
  if (phase === "ready") document.title = `${eventName ?? "Show"} · Seat map`;
  const status = show && show.status !== "scheduled" ? ` · ${show.status}` : "";
  setText(
    $("show-meta"),
    show && venueName ? `${formatShowTime(show.show_time)} · ${venueName}${status}` : "",
  );

  $("live").dataset.state = live;
  setText($("live-text"), LIVE_WORDS[live]);
  $("live").title =
    live === "live" ? "Seat changes appear as they happen" : "Seat changes may be late";
}
