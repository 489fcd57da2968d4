// How the statistics write their numbers and months (the dashboard and the public results page).

import { dayKey, lang } from "../i18n.js";

// --- numbers and months ------------------------------------------------------------------------

function locale() {
  return lang() === "vi" ? "vi-VN" : "en-GB";
}

export function formatCount(n) {
  return n === null || n === undefined ? "—" : new Intl.NumberFormat(locale()).format(n);
}

export function formatRate(rate) {
  return rate === null || rate === undefined ? "—" : new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

export function formatDays(days) {
  return days === null || days === undefined ? "—" : new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(days);
}

export function monthLabel(month) {
  const [year, m] = String(month).split("-");
  return m ? `${m}/${year}` : String(month);
}

export function thisMonth() {
  return dayKey(new Date()).slice(0, 7);
}
